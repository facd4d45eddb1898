//! The camera for the face comparison: one still, taken when the clerk presses the key.
//!
//! - `--camera-file FILE`: a picture file stands in for the camera (the demo, training, the
//!   tests, and a counter whose webcam software saves a still there).
//! - Linux: the first V4L2 capture device (`/dev/video*`) through `linuxvideo` (pure Rust),
//!   MJPEG when the camera offers it, else YUYV 4:2:2; the first frames are skipped while the
//!   camera sets its exposure.
//! - Windows: the first video capture device Media Foundation lists (`MFEnumDeviceSources`), read
//!   through a source reader converting to RGB32; Media Foundation is loaded when asked for, so a
//!   Windows without it (N editions, Server) starts the app and says "no camera".
//!
//! Without a camera on the test machines, only the file source and the pixel conversions are
//! tested; the V4L2 and Media Foundation paths are built on every build for their system and
//! have not met a real webcam in CI (docs/face.md).

use cancuoc_face::Picture;

/// Why no still was taken.
#[derive(Debug, PartialEq)]
pub enum CameraError {
    /// No camera on this PC (nor a file standing in for one).
    None,
    /// The camera or the file failed (what happened).
    Failed(String),
}

/// Frames dropped before the still (a webcam's first frames are dark while it sets exposure).
pub const WARM_UP_FRAMES: usize = 8;

/// Takes a still: from the file standing in for the camera, else from this PC's webcam.
pub fn take(file: Option<&std::path::Path>) -> Result<Picture, CameraError> {
    let bytes = match file {
        Some(path) => std::fs::read(path).map_err(|e| CameraError::Failed(format!("{}: {e}", path.display())))?,
        None => return webcam::still(),
    };
    Picture::decode(&bytes).map_err(|e| CameraError::Failed(e.to_string()))
}

/// YUYV 4:2:2 (V4L2's `YUYV`: Y0 U Y1 V for two pixels) to RGB, with BT.601's limited-range
/// coefficients (what webcams send).
pub fn yuyv_to_rgb(data: &[u8], width: usize, height: usize, stride: usize) -> Option<Vec<u8>> {
    if width == 0 || height == 0 || stride < width * 2 || data.len() < stride * (height - 1) + width * 2 {
        return None;
    }
    let mut rgb = Vec::with_capacity(width * height * 3);
    let clamp = |v: f32| v.round().clamp(0.0, 255.0) as u8;
    for row in data.chunks(stride).take(height) {
        for x in 0..width {
            let pair = &row[(x / 2) * 4..][..4];
            let y = if x % 2 == 0 { pair[0] } else { pair[2] };
            let (c, d, e) = (f32::from(y) - 16.0, f32::from(pair[1]) - 128.0, f32::from(pair[3]) - 128.0);
            rgb.extend_from_slice(&[
                clamp(1.164 * c + 1.596 * e),
                clamp(1.164 * c - 0.392 * d - 0.813 * e),
                clamp(1.164 * c + 2.017 * d),
            ]);
        }
    }
    Some(rgb)
}

/// Media Foundation's RGB32 (B, G, R, unused per pixel) to RGB. A negative `stride` is a
/// bottom-up picture (its first row in memory is the bottom one), as Media Foundation's
/// `MF_MT_DEFAULT_STRIDE` says.
pub fn bgrx_to_rgb(data: &[u8], width: usize, height: usize, stride: i64) -> Option<Vec<u8>> {
    let step = stride.unsigned_abs() as usize;
    if width == 0 || height == 0 || step < width * 4 || data.len() < step * (height - 1) + width * 4 {
        return None;
    }
    let mut rgb = Vec::with_capacity(width * height * 3);
    for y in 0..height {
        let row = if stride < 0 { height - 1 - y } else { y };
        for px in data[row * step..][..width * 4].chunks_exact(4) {
            rgb.extend_from_slice(&[px[2], px[1], px[0]]);
        }
    }
    Some(rgb)
}

#[cfg(target_os = "linux")]
mod webcam {
    use super::{CameraError, WARM_UP_FRAMES, yuyv_to_rgb};
    use cancuoc_face::Picture;
    use linuxvideo::format::{PixFormat, PixelFormat};
    use linuxvideo::{BufType, CapabilityFlags, Device};

    /// A still from the first V4L2 capture device.
    pub fn still() -> Result<Picture, CameraError> {
        let failed = |e: std::io::Error| CameraError::Failed(e.to_string());
        let device = linuxvideo::list()
            .map_err(failed)?
            .filter_map(Result::ok)
            .find(|d| d.capabilities().is_ok_and(|c| c.device_capabilities().contains(CapabilityFlags::VIDEO_CAPTURE)))
            .ok_or(CameraError::None)?;
        capture(device).map_err(failed)?
    }

    fn capture(device: Device) -> std::io::Result<Result<Picture, CameraError>> {
        let formats: Vec<PixelFormat> =
            device.formats(BufType::VIDEO_CAPTURE).filter_map(Result::ok).map(|f| f.pixel_format()).collect();
        let wanted =
            [PixelFormat::MJPG, PixelFormat::JPEG, PixelFormat::YUYV].into_iter().find(|f| formats.contains(f));
        let Some(format) = wanted else {
            return Ok(Err(CameraError::Failed(format!("the camera offers none of MJPEG, JPEG, YUYV ({formats:?})"))));
        };
        let capture = device.video_capture(PixFormat::new(1280, 720, format))?;
        let got = capture.format();
        let (w, h, stride, fmt) =
            (got.width() as usize, got.height() as usize, got.bytes_per_line() as usize, got.pixel_format());
        let mut stream = capture.into_stream()?;
        for _ in 0..WARM_UP_FRAMES {
            stream.dequeue(|_| Ok(()))?;
        }
        let frame = stream.dequeue(|buf| Ok(buf.to_vec()))?;
        Ok(if fmt == PixelFormat::YUYV {
            match yuyv_to_rgb(&frame, w, h, stride.max(w * 2)) {
                Some(rgb) => Ok(Picture { width: w as u32, height: h as u32, rgb }),
                None => Err(CameraError::Failed("a short YUYV frame".into())),
            }
        } else {
            Picture::decode(&frame).map_err(|e| CameraError::Failed(e.to_string()))
        })
    }
}

#[cfg(windows)]
mod webcam {
    //! Media Foundation is not on every Windows (the "N" editions and Windows Server lack it
    //! unless its feature pack is added): its six entry points are looked up when a still is
    //! asked for, so the program starts without it and only the camera says "no camera".

    use std::ffi::c_void;

    use super::{CameraError, WARM_UP_FRAMES, bgrx_to_rgb};
    use cancuoc_face::Picture;
    use windows::Win32::Foundation::HMODULE;
    use windows::Win32::Media::MediaFoundation::*;
    use windows::Win32::System::Com::{COINIT_MULTITHREADED, CoInitializeEx, CoTaskMemFree};
    use windows::Win32::System::LibraryLoader::{GetProcAddress, LoadLibraryW};
    use windows::core::{HRESULT, Interface, PCSTR, s, w};

    type Raw = *mut c_void;

    /// The entry points, from mfplat.dll, mf.dll and mfreadwrite.dll.
    struct Mf {
        startup: unsafe extern "system" fn(u32, u32) -> HRESULT,
        shutdown: unsafe extern "system" fn() -> HRESULT,
        create_attributes: unsafe extern "system" fn(*mut Raw, u32) -> HRESULT,
        create_media_type: unsafe extern "system" fn(*mut Raw) -> HRESULT,
        enum_device_sources: unsafe extern "system" fn(Raw, *mut *mut Raw, *mut u32) -> HRESULT,
        create_reader: unsafe extern "system" fn(Raw, Raw, *mut Raw) -> HRESULT,
    }

    impl Mf {
        /// The entry points, or `None` when this Windows has no Media Foundation.
        unsafe fn load() -> Option<Mf> {
            unsafe {
                let (plat, mf, rw) = (
                    LoadLibraryW(w!("mfplat.dll")).ok()?,
                    LoadLibraryW(w!("mf.dll")).ok()?,
                    LoadLibraryW(w!("mfreadwrite.dll")).ok()?,
                );
                Some(Mf {
                    startup: entry(plat, s!("MFStartup"))?,
                    shutdown: entry(plat, s!("MFShutdown"))?,
                    create_attributes: entry(plat, s!("MFCreateAttributes"))?,
                    create_media_type: entry(plat, s!("MFCreateMediaType"))?,
                    enum_device_sources: entry(mf, s!("MFEnumDeviceSources"))?,
                    create_reader: entry(rw, s!("MFCreateSourceReaderFromMediaSource"))?,
                })
            }
        }

        unsafe fn attributes(&self) -> Result<IMFAttributes, CameraError> {
            unsafe {
                let mut p: Raw = std::ptr::null_mut();
                (self.create_attributes)(&mut p, 1).ok().map_err(failed)?;
                owned(p)
            }
        }
    }

    fn failed(e: windows::core::Error) -> CameraError {
        CameraError::Failed(e.message())
    }

    /// An entry point of a loaded library, as the function-pointer type `T` it has.
    unsafe fn entry<T: Copy>(module: HMODULE, name: PCSTR) -> Option<T> {
        let f = unsafe { GetProcAddress(module, name) }?;
        if std::mem::size_of::<T>() != std::mem::size_of_val(&f) {
            return None;
        }
        // SAFETY: `T` is the documented signature of the entry point named `name`.
        Some(unsafe { std::mem::transmute_copy(&f) })
    }

    /// Takes ownership of an interface pointer an entry point returned.
    unsafe fn owned<T: Interface>(p: Raw) -> Result<T, CameraError> {
        if p.is_null() {
            return Err(CameraError::Failed("Media Foundation returned nothing".into()));
        }
        Ok(unsafe { T::from_raw(p) })
    }

    /// A still from the first video capture device.
    pub fn still() -> Result<Picture, CameraError> {
        // SAFETY: COM and Media Foundation are started on this (the camera's own) thread and
        // shut down before it returns; every pointer below comes from those APIs, each
        // interface pointer owned once (released when dropped).
        unsafe {
            let Some(mf) = Mf::load() else { return Err(CameraError::None) };
            let _ = CoInitializeEx(None, COINIT_MULTITHREADED);
            (mf.startup)(MF_VERSION, MFSTARTUP_NOSOCKET).ok().map_err(failed)?;
            let result = capture(&mf);
            let _ = (mf.shutdown)();
            result
        }
    }

    unsafe fn capture(mf: &Mf) -> Result<Picture, CameraError> {
        unsafe {
            let attrs = mf.attributes()?;
            attrs
                .SetGUID(&MF_DEVSOURCE_ATTRIBUTE_SOURCE_TYPE, &MF_DEVSOURCE_ATTRIBUTE_SOURCE_TYPE_VIDCAP_GUID)
                .map_err(failed)?;
            let mut list: *mut Raw = std::ptr::null_mut();
            let mut count = 0u32;
            (mf.enum_device_sources)(attrs.as_raw(), &mut list, &mut count).ok().map_err(failed)?;
            if list.is_null() {
                return Err(CameraError::None);
            }
            // The list and each device are ours to release: own them all, keep the first.
            let mut devices: Vec<Option<IMFActivate>> =
                std::slice::from_raw_parts(list, count as usize).iter().map(|p| owned(*p).ok()).collect();
            CoTaskMemFree(Some(list as *const c_void));
            let first = devices.first_mut().and_then(Option::take).ok_or(CameraError::None)?;
            drop(devices);
            let source: IMFMediaSource = first.ActivateObject().map_err(failed)?;
            let result = read(mf, &source);
            let _ = source.Shutdown();
            result
        }
    }

    unsafe fn read(mf: &Mf, source: &IMFMediaSource) -> Result<Picture, CameraError> {
        unsafe {
            let attrs = mf.attributes()?;
            // The reader converts whatever the camera sends (MJPEG, NV12, YUY2…) to RGB32.
            attrs.SetUINT32(&MF_SOURCE_READER_ENABLE_VIDEO_PROCESSING, 1).map_err(failed)?;
            let mut p: Raw = std::ptr::null_mut();
            (mf.create_reader)(source.as_raw(), attrs.as_raw(), &mut p).ok().map_err(failed)?;
            let reader: IMFSourceReader = owned(p)?;
            let stream = MF_SOURCE_READER_FIRST_VIDEO_STREAM.0 as u32;
            let mut p: Raw = std::ptr::null_mut();
            (mf.create_media_type)(&mut p).ok().map_err(failed)?;
            let want: IMFMediaType = owned(p)?;
            want.SetGUID(&MF_MT_MAJOR_TYPE, &MFMediaType_Video).map_err(failed)?;
            want.SetGUID(&MF_MT_SUBTYPE, &MFVideoFormat_RGB32).map_err(failed)?;
            reader.SetCurrentMediaType(stream, None, &want).map_err(failed)?;
            let got = reader.GetCurrentMediaType(stream).map_err(failed)?;
            let size = got.GetUINT64(&MF_MT_FRAME_SIZE).map_err(failed)?;
            let (w, h) = ((size >> 32) as usize, (size & 0xFFFF_FFFF) as usize);
            // The stride's sign says top-down or bottom-up; without it, top-down rows of 4 bytes
            // a pixel (UNCONFIRMED for every driver: docs/face.md).
            let stride = got.GetUINT32(&MF_MT_DEFAULT_STRIDE).map(|s| i64::from(s as i32)).unwrap_or((w * 4) as i64);
            let mut frames = 0;
            for _ in 0..200 {
                let mut flags = 0u32;
                let mut sample: Option<IMFSample> = None;
                reader
                    .ReadSample(stream, 0, None, Some(&mut flags as *mut u32), None, Some(&mut sample as *mut _))
                    .map_err(failed)?;
                if flags & (MF_SOURCE_READERF_ENDOFSTREAM.0 as u32) != 0 {
                    break;
                }
                let Some(sample) = sample else { continue };
                frames += 1;
                if frames <= WARM_UP_FRAMES {
                    continue;
                }
                let buffer = sample.ConvertToContiguousBuffer().map_err(failed)?;
                let mut ptr: *mut u8 = std::ptr::null_mut();
                let mut len = 0u32;
                buffer.Lock(&mut ptr, None, Some(&mut len as *mut u32)).map_err(failed)?;
                let data =
                    if ptr.is_null() { Vec::new() } else { std::slice::from_raw_parts(ptr, len as usize).to_vec() };
                let _ = buffer.Unlock();
                return match bgrx_to_rgb(&data, w, h, stride) {
                    Some(rgb) => Ok(Picture { width: w as u32, height: h as u32, rgb }),
                    None => Err(CameraError::Failed("a short frame".into())),
                };
            }
            Err(CameraError::Failed("the camera sent no picture".into()))
        }
    }
}

#[cfg(not(any(target_os = "linux", windows)))]
mod webcam {
    use super::CameraError;
    use cancuoc_face::Picture;

    /// No webcam source on this system yet (docs/face.md).
    pub fn still() -> Result<Picture, CameraError> {
        Err(CameraError::None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yuyv_by_hand() {
        // Two pixels: black (Y 16) and white (Y 235), no colour (U = V = 128); BT.601's
        // limited range maps them to 0 and 255. Then a pure-red pair: Y 81, U 90, V 240.
        let frame = [16, 128, 235, 128, 81, 90, 81, 240];
        let rgb = yuyv_to_rgb(&frame, 4, 1, 8).expect("rgb");
        assert_eq!(&rgb[..6], &[0, 0, 0, 255, 255, 255]);
        let red = &rgb[6..9];
        assert!(red[0] >= 250 && red[1] <= 5 && red[2] <= 5, "{red:?}");
        assert!(yuyv_to_rgb(&frame[..6], 4, 1, 8).is_none(), "a short frame is refused");
    }

    #[test]
    fn bgrx_by_hand_both_ways_up() {
        // Two rows of one pixel each, 8-byte stride: blue on top, red below, in B G R X order.
        let frame = [255, 0, 0, 0, 9, 9, 9, 9, 0, 0, 255, 0, 9, 9, 9, 9];
        assert_eq!(bgrx_to_rgb(&frame, 1, 2, 8).expect("top-down"), vec![0, 0, 255, 255, 0, 0]);
        assert_eq!(bgrx_to_rgb(&frame, 1, 2, -8).expect("bottom-up"), vec![255, 0, 0, 0, 0, 255]);
        assert!(bgrx_to_rgb(&frame[..10], 1, 2, 8).is_none(), "a short frame is refused");
    }

    #[test]
    fn a_missing_or_bad_file_is_an_error() {
        assert!(matches!(take(Some(std::path::Path::new("/nonexistent/still.jpg"))), Err(CameraError::Failed(_))));
        let dir = std::env::temp_dir().join(format!("cancuoc-cam-{}", std::process::id()));
        std::fs::write(&dir, b"not a picture").expect("write");
        assert!(matches!(take(Some(&dir)), Err(CameraError::Failed(_))));
        let _ = std::fs::remove_file(&dir);
    }
}
