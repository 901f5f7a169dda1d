"""Running a fix: only when allowed, exactly the command that was shown, always audited."""
