"""Training: practise incidents on the real lab, graded by the same checks the wizard runs."""
