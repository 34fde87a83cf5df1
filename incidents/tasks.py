"""Celery tasks of the incidents app: thin wrappers over incidents.pipeline."""

from celery import shared_task

from outagehub.celery import RETRY_POLICY

from . import pipeline


@shared_task(**RETRY_POLICY)
def process_article(article_id: int) -> str:
    return pipeline.process_article(article_id).action
