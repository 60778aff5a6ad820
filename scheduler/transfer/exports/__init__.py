"""Exports for coordinators: a published week (xlsx with a sheet per township and a
per-person list, or CSV) and the service record of a person or a village."""
from scheduler.transfer.exports.records import Record, person_record, village_record
from scheduler.transfer.exports.sheets import Table, to_csv, to_xlsx
from scheduler.transfer.exports.week import NothingPublished, WeekExport, published_week, week_csv, week_xlsx

__all__ = ["NothingPublished", "Record", "Table", "WeekExport", "person_record", "published_week", "to_csv",
           "to_xlsx", "village_record", "week_csv", "week_xlsx"]
