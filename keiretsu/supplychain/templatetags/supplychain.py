from decimal import Decimal

from django import template

from keiretsu.supplychain.models import Criticality, SupplierStatus

register = template.Library()


@register.filter
def status_label(value):
    return SupplierStatus(value).label if value in SupplierStatus.values else ""


@register.filter
def status_css(value):
    return SupplierStatus(value).css if value in SupplierStatus.values else ""


@register.filter
def criticality_label(value):
    return Criticality(value).label if value in Criticality.values else ""


@register.filter
def criticality_css(value):
    return Criticality(value).name.lower() if value in Criticality.values else ""


@register.filter
def get(mapping, key):
    return mapping.get(key, 0) if mapping else 0


@register.filter
def one_decimal(value):
    """A stored percentage read through an annotation (SQLite drops its scale): 100 -> 100.0."""
    return None if value is None else Decimal(value).quantize(Decimal("0.1"))
