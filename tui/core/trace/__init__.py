"""One message's story from the logs: every attempt, its cause, and whether the mail is lost."""
