from django.contrib import admin

from .models import Notification, Preference


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("created_at", "user", "event", "reference", "read_at", "emailed_at")
    list_filter = ("event",)
    raw_id_fields = ("user",)
    search_fields = ("reference", "user__username")


@admin.register(Preference)
class PreferenceAdmin(admin.ModelAdmin):
    list_display = ("user", "group", "delivery")
    raw_id_fields = ("user",)
