"""HTTP plumbing shared by the API (`api/`) and the dashboard (`web/`): problem details and the one
exception handler, who is calling (keys, roles, visibility), ids in URL paths. Neither entrypoint imports
the other; both import this."""
