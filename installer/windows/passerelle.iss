; Inno Setup script of the Windows installer. NOT BUILT IN CI: the project's machines
; run Linux, and PyInstaller does not cross-compile. Written for Inno Setup 6, to be
; checked on a Windows build machine before its first use.
;
; On Windows, with Python 3.11+ and the repository:
;   py -3.11 -m venv .venv
;   .venv\Scripts\pip install -e ".[build]"
;   .venv\Scripts\pybabel compile --domain passerelle --directory resources\locale
;   .venv\Scripts\pyinstaller --noconfirm --distpath dist --workpath build installer\passerelle.spec
;   dist\passerelle\passerelle-cli.exe self-test
;   iscc /DAppVersion=0.1.0 installer\windows\passerelle.iss
; -> dist\passerelle-0.1.0-windows-x64-setup.exe
;
; The spec builds two executables in one folder on Windows: Passerelle's window
; (passerelle.exe, no console) and the command line (passerelle-cli.exe, for
; self-test, backup, import ...). The installer copies the folder, adds a Start menu
; entry for the window, and runs the self-test at the end of the installation.
; Profiles live in the user's %LOCALAPPDATA%\Passerelle and are never removed by the
; uninstaller.

#ifndef AppVersion
  #error Pass the version: iscc /DAppVersion=X.Y.Z passerelle.iss
#endif

[Setup]
AppId={{6C7E1F5A-2B8D-4E57-9A61-3F0B8C2D4E19}
AppName=Passerelle
AppVersion={#AppVersion}
AppVerName=Passerelle {#AppVersion}
AppPublisher=Passerelle
VersionInfoVersion={#AppVersion}
DefaultDirName={autopf}\Passerelle
DefaultGroupName=Passerelle
DisableProgramGroupPage=yes
; Installs for the current user without administrator rights; an administrator may
; choose "all users" (PrivilegesRequiredOverridesAllowed).
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
SourceDir=..\..
OutputDir=dist
OutputBaseFilename=passerelle-{#AppVersion}-windows-x64-setup
SetupIconFile=resources\icons\passerelle.ico
UninstallDisplayIcon={app}\passerelle.exe
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
ShowLanguageDialog=auto

[Languages]
Name: "fr"; MessagesFile: "compiler:Languages\French.isl"
Name: "en"; MessagesFile: "compiler:Default.isl"
; Inno Setup ships no Arabic translation of its own pages; the application itself is
; in Arabic once installed.

[Files]
Source: "dist\passerelle\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{group}\Passerelle"; Filename: "{app}\passerelle.exe"
Name: "{autodesktop}\Passerelle"; Filename: "{app}\passerelle.exe"; Tasks: desktopicon

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Run]
Filename: "{app}\passerelle-cli.exe"; Parameters: "self-test"; StatusMsg: "Passerelle self-test..."; Flags: runhidden waituntilterminated
Filename: "{app}\passerelle.exe"; Description: "{cm:LaunchProgram,Passerelle}"; Flags: nowait postinstall skipifsilent

[UninstallDelete]
; Only what the installer put in {app}; profiles in %LOCALAPPDATA%\Passerelle stay.
Type: filesandordirs; Name: "{app}\_internal"
