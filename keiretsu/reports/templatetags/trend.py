from django import template
from django.utils.translation import gettext as _

from keiretsu.lib.fiscal_year import fiscal_year_label

from ..charts import trend_chart as chart_geometry
from ..charts import trend_series

register = template.Library()


@register.simple_tag
def trend_chart(trend, width=320):
    """The geometry of a reports.trend.Trend's chart, for reports/_trend_chart.svg."""
    return chart_geometry(
        [fiscal_year_label(year) for year in trend.years], trend_series(trend, _("Industry mean (all items)")), width=width
    )
