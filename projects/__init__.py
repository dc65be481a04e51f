"""Research programs built on mmocr_oclip (the package never imports them)."""
