"""Press releases: the organiser's composer and editor, the public news pages and their exports."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from plenary.access.views import manages_programme
from plenary.core.i18n import is_chinese
from plenary.publicity import exports, selectors, services
from plenary.publicity.forms import ReleaseForm
from plenary.publicity.models import PressRelease


def _release(programme, pk) -> PressRelease:
    return get_object_or_404(programme.press_releases, pk=pk)


@manages_programme
def manage_releases(request, programme):
    if request.method == "POST":
        release = services.compose_release(
            programme, actor=request.user, photos=selectors.selectable_photos(programme)
        )
        messages.success(request, _("A draft was composed from the programme's data. Check and edit it."))
        return redirect("publicity:manage-release", slug=programme.slug, pk=release.pk)
    return render(
        request,
        "publicity/manage_releases.html",
        {
            "programme": programme,
            "releases": programme.press_releases.order_by("-created_at"),
            "sessions": programme.sessions.all(),
            "photo_count": selectors.selectable_photos(programme).count(),
        },
    )


@manages_programme
def manage_release(request, programme, pk):
    release = _release(programme, pk)
    facts_closing = selectors.release_facts(programme).closing
    speakers = selectors.officials_in_person(facts_closing) if facts_closing else []
    form = ReleaseForm(
        request.POST or None,
        instance=release,
        photos=selectors.selectable_photos(programme),
        speakers=speakers,
        remarks={remark.speaker_id: remark for remark in release.remarks.all()},
    )
    if request.method == "POST" and form.is_valid():
        services.update_release(release, actor=request.user, **form.cleaned_data)
        services.set_photos(release, form.cleaned_data["photos"], actor=request.user)
        for speaker, text_en, text_zh in form.remarks():
            services.set_remark(release, speaker, text_en=text_en, text_zh=text_zh, actor=request.user)
        messages.success(request, _("Release saved."))
        if "recompose" in request.POST:
            services.recompose_release(release, actor=request.user)
            messages.success(request, _("The text was composed again from the programme's data."))
        return redirect("publicity:manage-release", slug=programme.slug, pk=release.pk)
    return render(
        request, "publicity/manage_release.html", {"programme": programme, "release": release, "form": form}
    )


@manages_programme
def preview_release(request, programme, pk):
    release = _release(programme, pk)
    return render(request, "publicity/news_detail.html", _detail_context(release, preview=True))


@manages_programme
@require_POST
def publish_release(request, programme, pk):
    release = _release(programme, pk)
    if request.POST.get("action") == "unpublish":
        services.unpublish_release(release, actor=request.user)
        messages.success(request, _("The release is a draft again and no longer public."))
    else:
        services.publish_release(release, actor=request.user)
        messages.success(request, _("The release is published."))
    return redirect("publicity:manage-release", slug=programme.slug, pk=release.pk)


def news(request):
    releases = selectors.published_releases()
    return render(request, "publicity/news.html", {"releases": releases})


def _public_release(slug) -> PressRelease:
    return get_object_or_404(selectors.published_releases(), slug=slug)


def _detail_context(release: PressRelease, preview: bool = False) -> dict:
    return {
        "release": release,
        "paragraphs": release.paragraphs(),
        "photos": selectors.release_photos(release),
        "preview": preview,
    }


def news_detail(request, slug):
    release = _public_release(slug)
    return render(request, "publicity/news_detail.html", _detail_context(release))


def news_export(request, slug, fmt):
    release = _public_release(slug)
    language = "zh-hant" if is_chinese(get_language()) else "en"
    if fmt == "pdf":
        content, content_type = exports.release_pdf(release, language), "application/pdf"
    elif fmt == "docx":
        content = exports.release_docx(release, language)
        content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    else:
        raise Http404
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{release.slug[:60]}-{language}.{fmt}"'
    return response
