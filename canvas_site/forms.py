from django.forms.renderers import TemplatesSetting


class FormRenderer(TemplatesSetting):
    """Django's renderer, with our field layout: label, widget, help, then errors beside it."""

    field_template_name = "forms/field.html"
