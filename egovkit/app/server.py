"""Serve the app on this computer: ``egovkit app`` (or :func:`serve`).

The server listens on 127.0.0.1 by default. Another address (a network interface, 0.0.0.0) is
refused unless ``allow_remote=True`` (``--allow-remote``): the app reads files people upload,
and should not be reachable from the network by accident. Every script and style sheet comes
from the installed packages (Bokeh and Panel serve their own), so the app works offline.
"""

from __future__ import annotations

import ipaddress
import socket
from typing import Any

from ..errors import InputError
from ..shared.messages import render
from .uploads import MAX_UPLOAD_BYTES

__all__ = ["serve", "check_host", "free_port", "LOCAL_HOSTS"]

LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")


def check_host(host: str, allow_remote: bool = False) -> str:
    """``host`` if it is this computer only, or if ``allow_remote``; an :class:`InputError` otherwise.

    >>> check_host("127.0.0.1")
    '127.0.0.1'
    """
    local = host in LOCAL_HOSTS
    if not local:
        try:
            local = ipaddress.ip_address(host).is_loopback
        except ValueError:
            local = False
    if not local and not allow_remote:
        raise InputError(code="app.remote_host", params={"host": host})
    return host


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port free on ``host`` now."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def _session() -> Any:
    import panel as pn

    from .ui import DiagnosisApp

    app = DiagnosisApp()
    pn.state.on_session_destroyed(lambda ctx: app.close())
    return app.layout


def serve(port: int = 0, host: str = "127.0.0.1", *, open_browser: bool = True, allow_remote: bool = False,
          start: bool = True, **kwargs: Any) -> Any:
    """Start the app's web server (blocks until stopped when ``start``); return the server.

    Parameters
    ----------
    port
        TCP port; 0 picks a free one (printed).
    host
        Address to listen on; only this computer unless ``allow_remote``.
    open_browser
        Open the page in the default browser.
    """
    import panel as pn

    check_host(host, allow_remote)
    port = port or free_port(host)
    origins = [f"{h}:{port}" for h in ("127.0.0.1", "localhost")]
    if host not in LOCAL_HOSTS:
        origins.append(f"{host}:{port}" if ":" not in host else f"[{host}]:{port}")
        if allow_remote:
            origins = ["*"]
    pn.extension(notifications=False)
    print(render("app.serving", {"url": f"http://{'localhost' if host in LOCAL_HOSTS else host}:{port}/"}),
          flush=True)
    return pn.serve(_session, port=port, address=host, show=open_browser, start=start, title="egovkit",
                    websocket_origin=origins, websocket_max_message_size=MAX_UPLOAD_BYTES * 4 // 3 + 1024 * 1024,
                    **kwargs)
