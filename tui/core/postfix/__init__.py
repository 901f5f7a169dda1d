"""The Postfix hop, observed: the maildrop transport in master.cf, the queue, the bounces."""
