from django.http import HttpResponse


def timeline(request):
    return HttpResponse("timeline: being built", status=501)
