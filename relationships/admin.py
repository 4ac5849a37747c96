from django.contrib import admin

from relationships.models import Canvas, CostItem, Relationship, Segment


class SegmentInline(admin.TabularInline):
    model = Segment
    fields = ["name", "expected_type", "customer_count", "purchases_per_year", "average_spend"]
    extra = 0


class CostItemInline(admin.TabularInline):
    model = CostItem
    extra = 0


@admin.register(Canvas)
class CanvasAdmin(admin.ModelAdmin):
    list_display = ["title", "owner", "currency", "updated_at"]
    list_select_related = ["owner"]
    search_fields = ["title", "owner__username"]
    list_filter = ["currency"]
    inlines = [SegmentInline]


@admin.register(Segment)
class SegmentAdmin(admin.ModelAdmin):
    list_display = ["name", "canvas", "expected_type", "position"]
    list_select_related = ["canvas"]
    search_fields = ["name", "canvas__title"]


@admin.register(Relationship)
class RelationshipAdmin(admin.ModelAdmin):
    list_display = ["__str__", "type", "state", "contact", "reach", "bond"]
    list_select_related = ["segment"]
    list_filter = ["type", "state"]
    inlines = [CostItemInline]


@admin.register(CostItem)
class CostItemAdmin(admin.ModelAdmin):
    list_display = ["label", "relationship", "amount", "frequency"]
    list_select_related = ["relationship__segment"]
    list_filter = ["frequency"]
