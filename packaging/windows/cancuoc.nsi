; The Windows installer (NSIS, Debian's `nsis` package): scripts/package windows runs
;   makensis -DVERSION=0.1.0 -DSRC=<folder with the two .exe> -DOUTFILE=<setup.exe> cancuoc.nsi
; Installs both programs and the guides to Program Files, a Start-menu folder (the desk app, its
; demo, the guides, uninstall) and a desktop shortcut, and registers the uninstaller. Clerks' data
; (%LOCALAPPDATA%\cancuoc, %APPDATA%\cancuoc) is theirs and the uninstaller leaves it.
; Optional, never pre-selected: `cancuoc serve` (the API for web hospital systems) started at this
; user's log-on, minimised, from a shortcut in their Startup folder; silently: /API-AT-LOGON.

Unicode true
!include "MUI2.nsh"
!include "x64.nsh"
!include "FileFunc.nsh"
!include "Sections.nsh"

!ifndef VERSION
  !error "VERSION is required (-DVERSION=…)"
!endif
!ifndef SRC
  !error "SRC is required (-DSRC=folder with cancuoc.exe and cancuoc-desk.exe)"
!endif
!ifndef OUTFILE
  !define OUTFILE "cancuoc-${VERSION}-windows-x64-setup.exe"
!endif
!define ROOT "../.."
!define UNINST_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\cancuoc"

Name "Cancuoc ${VERSION}"
OutFile "${OUTFILE}"
InstallDir "$PROGRAMFILES64\cancuoc"
InstallDirRegKey HKLM "Software\cancuoc" "InstallDir"
RequestExecutionLevel admin
SetCompressor /SOLID lzma
BrandingText "cancuoc ${VERSION}"

!define MUI_ABORTWARNING
!define MUI_FINISHPAGE_RUN "$INSTDIR\cancuoc-desk.exe"
!define MUI_FINISHPAGE_RUN_PARAMETERS "--demo"
!define MUI_FINISHPAGE_SHOWREADME "$INSTDIR\HUONG-DAN-WINDOWS.txt"
!insertmacro MUI_PAGE_COMPONENTS
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_PAGE_FINISH
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES
!insertmacro MUI_LANGUAGE "Vietnamese"
!insertmacro MUI_LANGUAGE "English"

Function un.onInit
  SetRegView 64
FunctionEnd

Section "Cancuoc" SecMain
  SectionIn RO
  SetOutPath "$INSTDIR"
  File "${SRC}/cancuoc.exe"
  File "${SRC}/cancuoc-desk.exe"
  File "${ROOT}/packaging/windows/HUONG-DAN-WINDOWS.txt"
  SetOutPath "$INSTDIR\docs"
  File "${ROOT}/README.md"
  File "${ROOT}/docs/guide-clerk.md"
  File "${ROOT}/docs/guide-technician.md"
  File "${ROOT}/docs/guide-integrator.md"
  File "${ROOT}/docs/api.md"
  File "${ROOT}/docs/hardware.md"
  SetOutPath "$INSTDIR"
  WriteUninstaller "$INSTDIR\uninstall.exe"

  SetShellVarContext all
  CreateDirectory "$SMPROGRAMS\Cancuoc"
  CreateShortcut "$SMPROGRAMS\Cancuoc\Cancuoc - Tiếp đón bằng CCCD.lnk" "$INSTDIR\cancuoc-desk.exe"
  CreateShortcut "$SMPROGRAMS\Cancuoc\Cancuoc - Thử với thẻ mô phỏng (demo).lnk" "$INSTDIR\cancuoc-desk.exe" "--demo"
  CreateShortcut "$SMPROGRAMS\Cancuoc\Hướng dẫn (Windows).lnk" "$INSTDIR\HUONG-DAN-WINDOWS.txt"
  CreateShortcut "$SMPROGRAMS\Cancuoc\Gỡ cài đặt Cancuoc.lnk" "$INSTDIR\uninstall.exe"
  CreateShortcut "$DESKTOP\Cancuoc - Tiếp đón bằng CCCD.lnk" "$INSTDIR\cancuoc-desk.exe"

  WriteRegStr HKLM "Software\cancuoc" "InstallDir" "$INSTDIR"
  WriteRegStr HKLM "${UNINST_KEY}" "DisplayName" "Cancuoc — Tiếp đón bằng CCCD"
  WriteRegStr HKLM "${UNINST_KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKLM "${UNINST_KEY}" "Publisher" "cancuoc developers"
  WriteRegStr HKLM "${UNINST_KEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKLM "${UNINST_KEY}" "DisplayIcon" "$INSTDIR\cancuoc-desk.exe"
  WriteRegStr HKLM "${UNINST_KEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
  WriteRegDWORD HKLM "${UNINST_KEY}" "NoModify" 1
  WriteRegDWORD HKLM "${UNINST_KEY}" "NoRepair" 1
SectionEnd

; Per user: the clerk who installs it (the API token lives in that user's %APPDATA%).
Section /o "API cho phần mềm bệnh viện khi đăng nhập / API for hospital systems at log-on" SecApi
  SetShellVarContext current
  CreateShortcut "$SMSTARTUP\Cancuoc API.lnk" "$INSTDIR\cancuoc.exe" "serve" "" "" SW_SHOWMINIMIZED
SectionEnd

Section "Uninstall"
  SetShellVarContext current
  Delete "$SMSTARTUP\Cancuoc API.lnk"
  SetShellVarContext all
  Delete "$DESKTOP\Cancuoc - Tiếp đón bằng CCCD.lnk"
  RMDir /r "$SMPROGRAMS\Cancuoc"
  Delete "$INSTDIR\cancuoc.exe"
  Delete "$INSTDIR\cancuoc-desk.exe"
  Delete "$INSTDIR\HUONG-DAN-WINDOWS.txt"
  RMDir /r "$INSTDIR\docs"
  Delete "$INSTDIR\uninstall.exe"
  RMDir "$INSTDIR"
  DeleteRegKey HKLM "${UNINST_KEY}"
  DeleteRegKey HKLM "Software\cancuoc"
SectionEnd

; After the sections: it selects one by its index.
Function .onInit
  ${IfNot} ${RunningX64}
    MessageBox MB_ICONSTOP "Cancuoc cần Windows 64-bit. / Cancuoc needs 64-bit Windows."
    Abort
  ${EndIf}
  SetRegView 64
  ${GetParameters} $R0
  ClearErrors
  ${GetOptions} $R0 "/API-AT-LOGON" $R1
  ${IfNot} ${Errors}
    !insertmacro SelectSection ${SecApi}
  ${EndIf}
FunctionEnd
