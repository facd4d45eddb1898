/* TEST ONLY — never shipped (scripts/check-windows asserts it is in neither the zip nor the
 * installer). Rust's standard library (≥ 1.78) takes its random bytes from ProcessPrng in
 * bcryptprimitives.dll, which Windows 10/11 and Wine ≥ 8.13 have and Debian 12's Wine 8.0 lacks.
 * This stand-in exports ProcessPrng over RtlGenRandom (advapi32's SystemFunction036), so that
 * the Windows programs start under that Wine. Built with Debian's mingw-w64:
 *   x86_64-w64-mingw32-gcc -shared -O2 -o bcryptprimitives.dll bcryptprimitives.c bcryptprimitives.def -ladvapi32
 */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length)
{
    while (length > 0) {
        ULONG chunk = length > 0x10000000 ? 0x10000000 : (ULONG)length;
        if (!SystemFunction036(data, chunk))
            return FALSE;
        data += chunk;
        length -= chunk;
    }
    return TRUE;
}
