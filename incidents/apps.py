from django.apps import AppConfig


class IncidentsConfig(AppConfig):
    name = "incidents"
    verbose_name = "Incidents"

    def ready(self):
        # Stored articles come to this app through articles.handoff, so articles/ never imports incidents/.
        from articles import handoff
        from incidents import tasks

        handoff.register(handoff.Consumer(queue=tasks.queue_articles, run_now=tasks.run_now))
