from django.http import HttpResponse


def search_page(request):
    return HttpResponse("search: being built", status=501)
