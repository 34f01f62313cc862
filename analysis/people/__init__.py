"""A person's data: forget them on request and keep them forgotten (`forget`, `suppression`),
and requests from the command line that the running app carries out (`spool`)."""
