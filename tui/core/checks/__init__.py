"""The diagnosis: checks that each look at one link of the chain, written once for the wizard
and for `authlib-tui check`."""
