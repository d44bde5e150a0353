"""Search benchmark: queries typed into the header search of the built site in headless Chromium."""
