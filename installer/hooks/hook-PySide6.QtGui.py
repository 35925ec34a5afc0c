# PyInstaller hook for PySide6.QtGui that collects only the Qt plugins the client needs.
#
# PyInstaller's own hook takes every plugin type QtGui can use (EGLFS, linuxfb, VNC,
# evdev input, every image format ...) and then every library those plugins link to.
# Filtering here, before PyInstaller analyses the plugins' dependencies, keeps those
# libraries out of the bundle too. This hook takes precedence over PyInstaller's (it
# is in the spec's hookspath).
#
# Kept: the window systems the laptops run (X11, Wayland, Windows, macOS), offscreen
# (headless self-test and CI), the desktop portal theme (native file dialogs), the
# compose and IBus input methods (French dead keys, Arabic keyboards), accessibility.
# Image formats: none; the client draws no JPEG/GIF/SVG image (PNG is built into QtGui).

from PyInstaller.utils.hooks.qt import add_qt6_dependencies

KEPT = {
    "platforms": {
        "qxcb",
        "qwayland",
        "qwayland-egl",
        "qwayland-generic",
        "qoffscreen",
        "qwindows",
        "qcocoa",
    },
    "platformthemes": {"qxdgdesktopportal"},
    "platforminputcontexts": {
        "composeplatforminputcontextplugin",
        "ibusplatforminputcontextplugin",
    },
    "xcbglintegrations": {"qxcb-egl-integration", "qxcb-glx-integration"},
    "wayland-shell-integration": {"xdg-shell"},
    "wayland-decoration-client": {"bradient", "adwaita"},
    "wayland-graphics-integration-client": {"qt-plugin-wayland-egl"},
}
KEPT_WHOLE = {"accessiblebridge", "platforms/darwin"}


def _stem(file_name: str) -> str:
    name = file_name.rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
    name = name.split(".", 1)[0]
    return name[3:] if name.startswith("lib") else name


def _wanted(source: str, destination: str) -> bool:
    parts = destination.replace("\\", "/").split("/plugins/", 1)
    if len(parts) == 1:
        return True  # not a plugin
    plugin_type = parts[1]
    if plugin_type in KEPT_WHOLE:
        return True
    return _stem(source) in KEPT.get(plugin_type, set())


hiddenimports, binaries, datas = add_qt6_dependencies(__file__)
binaries = [
    (source, destination) for source, destination in binaries if _wanted(source, destination)
]
