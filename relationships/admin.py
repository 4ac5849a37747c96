"""The admin. A change here goes through the write path too: the canvas moves to its next
revision, so no cached PDF of the old block is served."""

from django.contrib import admin

from relationships.models import Canvas, CostItem, Relationship, Segment
from relationships.writes import change_block


class BlockWriteAdmin(admin.ModelAdmin):
    """Saves and deletes a row of a block through ``change_block``."""

    @staticmethod
    def canvas_pk(obj) -> int:
        if isinstance(obj, Canvas):
            return obj.pk
        if isinstance(obj, Segment):
            return obj.canvas_id
        if isinstance(obj, Relationship):
            return obj.segment.canvas_id
        return obj.relationship.segment.canvas_id

    def save_related(self, request, form, formsets, change) -> None:
        obj = form.instance
        change_block(
            self.canvas_pk(obj),
            lambda: super(BlockWriteAdmin, self).save_related(request, form, formsets, change),
        )

    def delete_model(self, request, obj) -> None:
        if isinstance(obj, Canvas):
            obj.delete()
        else:
            change_block(self.canvas_pk(obj), obj.delete)

    def delete_queryset(self, request, queryset) -> None:
        for obj in queryset:
            self.delete_model(request, obj)


class SegmentInline(admin.TabularInline):
    model = Segment
    fields = [
        "name",
        "expected_type",
        "customer_count",
        "purchases_per_year",
        "average_spend",
        "new_customers_per_year",
    ]
    extra = 0


class CostItemInline(admin.TabularInline):
    model = CostItem
    extra = 0


@admin.register(Canvas)
class CanvasAdmin(BlockWriteAdmin):
    list_display = ["title", "owner", "currency", "updated_at"]
    list_select_related = ["owner"]
    search_fields = ["title", "owner__username"]
    list_filter = ["currency"]
    inlines = [SegmentInline]


@admin.register(Segment)
class SegmentAdmin(BlockWriteAdmin):
    list_display = ["name", "canvas", "expected_type", "position"]
    list_select_related = ["canvas"]
    search_fields = ["name", "canvas__title"]


@admin.register(Relationship)
class RelationshipAdmin(BlockWriteAdmin):
    list_display = ["__str__", "type", "state", "contact", "reach", "bond"]
    list_select_related = ["segment"]
    list_filter = ["type", "state"]
    inlines = [CostItemInline]


@admin.register(CostItem)
class CostItemAdmin(BlockWriteAdmin):
    list_display = ["label", "relationship", "amount", "frequency"]
    list_select_related = ["relationship__segment"]
    list_filter = ["frequency"]
