"""The small core every feature uses: settings, database, clock, access rules, audit, weeks, versions."""
