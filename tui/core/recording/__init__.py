"""Recording what the samplers and checks saw, to replay an incident later."""
