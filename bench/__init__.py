def wait_for(url: str, text: str, limit: float = 120) -> None:
    """Poll a page (e.g. of `make serve`) until it shows ``text``; raises after ``limit`` seconds."""
    import time
    import urllib.request

    end = time.monotonic() + limit
    while time.monotonic() < end:
        try:
            if text in urllib.request.urlopen(url, timeout=5).read().decode("utf-8"):
                return
        except OSError:
            pass
        time.sleep(0.02)
    raise RuntimeError(f"serve never showed {text!r} at {url}")
