"""Reading what authdaemond wrote to syslog: line parsing, the message catalogue, recent errors."""
