"""Prose: scores, zones and sub-labels restated in sentences, and other roles' cited scores."""

from __future__ import annotations

from bisect import bisect_right

from builder.document import TextBlock
from builder.model import Citation, Gap, Mention
from builder.numbers import Stated, StatedText, parse_plain
from builder.reader import Reader, Shifted
from builder.statements import RELATION_WINDOW, RELATIONS, ROLE_WINDOW, clean_role


def read_prose(r: Reader) -> tuple[list[Citation], list[Gap], list[Mention]]:
    """Scores, zones and sub-labels restated in prose, and other roles' cited scores."""
    citations: list[Citation] = []
    gaps: list[tuple[Stated, str, int]] = []
    mentions: list[Mention] = []
    pending_zone: tuple[StatedText, int | None] | None = None
    for section in r.document.sections:
        blocks: list[TextBlock] = list(section.texts())
        for table in section.tables():
            blocks.extend(TextBlock.of_cell(cell)
                          for row in table.rows for cell in row if parse_plain(cell.text) is None)
        blocks.sort(key=lambda b: (b.line, b.col))
        for block in blocks:
            text = block.text
            for match in r.p.label_at.finditer(text):
                r.claim("sublabel", r.text_in(block, match, "sublabel"), "sub-label restated")
                r.claim("score", r.stated_in(block, match, "score"), "score restated")
            own_band: set[int] = set()  # bands read as this report's zone's, below
            if "sits" in text:  # most blocks restate nothing: spare them the patterns
                for match in r.p.sits_in.finditer(text):
                    r.claim("score", r.stated_in(block, match, "score"), "score restated")
                    r.claim("zone", r.text_in(block, match, "zone"), "zone restated")
                for match in r.p.score_sits_in.finditer(text):  # "The score sits firmly within the Yellow band"
                    r.claim("zone", r.text_in(block, match, "zone"), "zone restated")
                    if match.group("low"):  # "... band (25-47)": the limits of the report's own zone
                        own_band.add(match.start("low"))
                        r.claim_range("zone.band", block, match, "the zone's band restated")
            if "band" in text:  # "the Red band (0-24)": the limits of the zone named
                for match in r.p.zone_band.finditer(text):
                    zone = r.methodology.zone_named(match.group("zone"))
                    if zone is not None and match.start("low") not in own_band:
                        r.claim_range(f"band.{zone.name}", block, match, f"{zone.name} band restated")
            if "average" in text:  # "The 3.15 average masks this split"
                for match in r.p.average.finditer(text):
                    r.claim("trs", r.stated_in(block, match, "value"), "Task Resistance Score restated")
            group_zone = None
            group = r.p.zone_group.search(text)
            if group:
                group_zone = r.text_in(block, group, "zone")
            if pending_zone and block.kind == "item" and block.list_id is not None:
                if pending_zone[1] in (None, block.list_id):
                    pending_zone = (pending_zone[0], block.list_id)
                    group_zone = group_zone or pending_zone[0]
                else:
                    pending_zone = None
            elif pending_zone and block.kind != "item":
                pending_zone = None
            if group:
                pending_zone = (r.text_in(block, group, "zone"), None)
            taken: list[tuple[int, int]] = []
            for word in r.p.not_word.finditer(text):
                match = r.p.role_after.match(text, word.end(), word.end() + ROLE_WINDOW + 420)
                if match is None:
                    continue
                role = clean_role(match.group("role"))
                line, col = block.locate(match.start("role"))
                scored = r.p.scored_at.search(match.group("paren") or "")
                if scored:
                    shifted = Shifted(scored, match.start("paren"))
                    citations.append(Citation(role, r.stated_in(block, shifted, "score"), r.loc(line, col),
                                              zone=r.text_in(block, shifted, "zone"), section=section.title))
                elif role != role.upper():
                    mentions.append(Mention(role, r.loc(line, col)))
                taken.append((word.start(), match.end()))
            spans = iter(taken)
            span = next(spans, None)
            for match in r.p.cited_score.finditer(text):
                while span is not None and span[1] <= match.start():
                    span = next(spans, None)
                if span is not None and span[0] <= match.start() < span[1]:
                    continue
                window_start = max(0, match.start() - ROLE_WINDOW)
                named = r.p.role_before.search(text, window_start, match.start())
                if named is None:
                    continue
                role = clean_role(named.group("role"))
                role_start = named.start("role") + named.group("role").find(role)
                line, col = block.locate(role_start)
                score_group = "aijri" if match.group("aijri") else "score"
                zone = r.text_in(block, match, "zone") if match.group("zone") else None
                if zone is None and group_zone is not None and (group is None or match.start() > group.start()
                                                                 or block.kind == "item"):
                    zone = group_zone
                sub = None
                if match.group("sub") and zone is not None:
                    sub = StatedText(f"{match.group('zone')} ({match.group('sub')})", zone.location)
                before = r.p.relation_before.search(text, max(0, role_start - RELATION_WINDOW), role_start)
                relation = RELATIONS[before.group("relation").casefold()] if before else None
                citations.append(Citation(role, r.stated_in(block, match, score_group), r.loc(line, col), zone=zone,
                                          sublabel=sub, relation=relation,
                                          relation_text=before.group("relation") if before else "",
                                          section=section.title))
            for match in r.p.gap.finditer(text):
                line, _ = block.locate(match.start("gap"))
                gaps.append((r.stated_in(block, match, "gap"), section.title, line))
    return citations, _pair_gaps(gaps, citations), mentions


def _pair_gaps(gaps: list[tuple[Stated, str, int]], citations: list[Citation]) -> list[Gap]:
    """A gap is measured to the nearest citation before it in the same section, else the next one after."""
    by_section: dict[str, list[Citation]] = {}
    for citation in sorted(citations, key=lambda c: c.location):
        by_section.setdefault(citation.section, []).append(citation)
    paired = []
    for stated, section, _ in gaps:
        here = by_section.get(section, [])
        index = bisect_right(here, stated.location, key=lambda c: c.location)
        peer = here[index - 1] if index else (here[0] if here else None)
        paired.append(Gap(stated, peer))
    return paired


