"""Framework-free pieces every Tracehouse process shares: settings, store clients, errors, auth."""
