"""The authdaemond worker pool as the kernel and /proc show it, without occupying a worker."""
