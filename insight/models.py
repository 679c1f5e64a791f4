"""Daily totals the insight dashboard reads instead of the raw tables (see rollups.py).

One row is one figure for one (UK) day: a metric ("registrations.created"), a dimension that
says what the figure is about ("" for the total, "force:avon-and-somerset-constabulary",
"criterion:initial-contact", "q:missing from care"...) and the value. A period's figure is the
sum of its days' rows, except for snapshot metrics (rollups.SNAPSHOT_METRICS), which record a
stock on the day it was counted and are read from the latest day in the period.
"""

from django.db import models


class DailyMetric(models.Model):
    day = models.DateField()
    metric = models.CharField(max_length=48)
    dimension = models.CharField(max_length=300, blank=True)
    value = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = "insight daily figure"
        permissions = [
            # Granted to the NCPI team (the Moderators group) by migration 0002.
            ("view_insight", "Can view insight"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["metric", "day", "dimension"], name="insight_one_figure_per_day"
            )
        ]
        # The unique index (metric, day, dimension) serves every read: a metric over a range of
        # days, grouped by dimension.

    def __str__(self):
        return f"{self.day} {self.metric} {self.dimension or '(total)'}: {self.value}"
