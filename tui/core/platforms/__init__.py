"""The platforms authlib-tui knows (Debian, RHEL, ApisCP, upstream): layouts and commands."""
