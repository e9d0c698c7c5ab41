"""Every data source gemeval knows. Modules are imported only when a source is used."""

from gemeval.data.base import SourceInfo, register_source

register_source(SourceInfo(
    name="synthetic",
    target="gemeval.data.synthetic:load",
    summary="the embedded synthetic benchmark: 12-lead ECGs with exact truth, built on first use",
    needs="nothing (generated and cached under ~/.cache/gemeval)",
    get="built automatically",
))
