"""No admin entries: rosters, units and dispatches are managed through the services (audited)."""
