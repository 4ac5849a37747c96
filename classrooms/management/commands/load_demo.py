from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from classrooms.demo import TEACHER_USERNAME, create_demo_class
from relationships.sample import SAMPLE, create_sample_canvas

DEMO_USERNAME = "demo"
DEMO_PASSWORD = "demo-canvas-2026"


class Command(BaseCommand):
    help = "Create the demo student (with a sample canvas) and the demo class (idempotent)."

    def handle(self, *args, **options) -> None:
        User = get_user_model()
        user, created = User.objects.get_or_create(username=DEMO_USERNAME)
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        if not user.canvases.filter(title=SAMPLE["title"]).exists():
            create_sample_canvas(user)
        create_demo_class(user, DEMO_PASSWORD)
        self.stdout.write(f"Demo student login: {DEMO_USERNAME} / {DEMO_PASSWORD}")
        self.stdout.write(f"Demo teacher login: {TEACHER_USERNAME} / {DEMO_PASSWORD}")
