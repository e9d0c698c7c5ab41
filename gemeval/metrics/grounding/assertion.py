"""Assertion status of a claim: is it stated as a fact about this ECG, denied, hedged,
conditional or textbook, a reference range, or said to be not assessable?

A ConText-style rule engine (Harkema et al., J Biomed Inform 2009; the NegEx family):
trigger phrases with a kind and a direction, scopes that run over the words of a clause,
termination phrases that end them, and pseudo-triggers that look like triggers but are not
("no change", "not only", "cannot exclude" is no negation). It runs on word tokens looked up
in a table by their first word, so it costs one pass over the words of a text; the
alternatives measured for the choice (medspaCy's ConText, negspacy) are described in
docs/scoring.md.

Statuses (``ASSERTIONS``):

affirmed        stated as a fact about this ECG (no trigger in scope)
negated         "no ST elevation", "ST elevation is absent", "rather than sinus rhythm"
hypothetical    conditional, generic, textbook or criterion statements, advice ("if the QTc
                exceeded 500 ms", "a typical LBBB has wide QRS complexes", "would suggest")
reference       a reference range or normal limit, for numbers only ("PR (normal 120-200
                ms)", "the upper limit of normal is 450 ms")
uncertain       hedged ("possible", "may represent", "cannot exclude", "borderline", "likely")
not_assessable  "QT cannot be reliably measured", "no valid assessment of the axis"

Scopes:

* A forward trigger covers what follows it in its sentence up to a termination phrase
  ("but", "however", "consistent with", "which", ...), a closing parenthesis it sits in,
  or a comma after which a new finding starts: once the scope has reached a finding, a
  comma ends it unless a list closed by "or"/"nor" goes on ("no horizontal, downsloping or
  upsloping ST depression"). A negation reaches a plain number only when no other finding
  stands between them ("no ST elevation and QRS 96 ms": the QRS is affirmed). A hedge or
  negation that opens a comma-separated item and has words of its own before the comma (a
  finding outside the vocabulary: "sinus rhythm, possible inferior infarction, ST depression
  in V5") ends there too, unless a list closed by "or"/"nor" with no cue of its own goes on;
  so does one that closes its item ("chronic infarction possible, ST elevation in V2").
* A backward trigger ("... is absent", "... cannot be excluded") covers its clause before
  it: back to the sentence start, a termination phrase or a comma outside a lead list.
* Modal verbs ("would", "could", "may") cover their clause in both directions.
* A trigger inside the claim's own words counts ("the PR interval is not prolonged").
* A negation right before a comma denies nothing after it ("Delta waves absent, T waves
  upright"); "I looked for X and for Y, and I didn't find either" denies its whole sentence
  before it.
* A generic premise opening a sentence ("In RBBB, ...", "In acute pericarditis, ...": "in"
  and a noun phrase with no determiner pointing at this case and no lead) makes the
  sentence hypothetical; so does what an earlier ECG showed ("the previous ECG showed",
  "back then"), up to "today", "now", "this one" (a comparison with it, "compared with
  the prior tracing", describes this ECG). A sentence-wide cue in a relative clause after a
  finding ("..., which is usually harmless") comments on it and leaves it affirmed.
* A sentence whose subject is a finding without a determiner with "can" ("ST elevation can
  indicate pericarditis", "Axis deviation can be caused by ...") says what it may mean in
  general: hypothetical; "will" is a modal like "would". "X refers to ...", "X occurs when ..."
  define X, unless the subject is this case's ('that line on your report refers to the QTc').
  A finding nobody mentioned ("the doctor never mentioned the long QT") is not denied; "when"
  in a story ("When I got the printout, ...") is a time, no condition. A term in quotes that
  is explained ('"bradycardia" indicates a rate below 60') is defined in general; "In
  healthy adults, ...", "for most people" give normal values; "The LBBB is diagnosed by ..."
  (a definite subject) is this case's diagnosis, not a rule. "On an ECG" is any ECG, and
  "causes of (a) long QT" are those of any long QT (not "of the ..."). What a condition does
  or does not do ("LAHB does not affect life expectancy", "RBBB is usually harmless") is said
  in general; "has gone from/up" is a change, no disappearance.
* A sentence whose subject is any value beyond a bound ("A QRS over 120 ms is called wide",
  "Values above 500 ms carry ...") states a rule: hypothetical, unless it names this case
  ("here", "this", "the patient"). A definition ("is called", "is said to") is one too; a
  demonstrative before it ("that is called sinus tachycardia") names this ECG's finding.
* A limit this ECG's value is compared with ("below the conventional lower limit of 60 bpm")
  is no reference cue: the number is a bound about this ECG.
* What cannot be assessed ends where its circumstances start ("the QT in atrial fibrillation
  at this rate": the rhythm and rate are findings of their own).
* A heading line of normal values ("Normal values", "Reference ranges (adults)") covers the
  ranges and limits under it, up to the next heading or blank line; a label line naming a
  finding with a bound ("Left axis deviation: < -30°") defines it (hypothetical); a heading
  line of criteria ("Diagnostic criteria:") makes the list under it hypothetical.
* A reference cue before a colon covers the list after it ("recall the normal values: PR
  0.12-0.20 s, QRS under 0.12 s"); a limit listed right after a reference limit is one too
  ("under 450 ms for men and 460 ms for women").
* "Borderline", "borders on" hedge a category, not the number measured next to them
  ("borderline QTc 458 ms": 458 is affirmed).
* Where triggers of several kinds cover a claim, the first of not_assessable,
  hypothetical, reference, uncertain, negated wins ("if there were no ST elevation" is
  hypothetical).
"""

from __future__ import annotations

import bisect
import re
from itertools import product
from collections.abc import Callable
from typing import NamedTuple

from gemeval.metrics.grounding.text import (
    QUERY_MARK_RE,
    at_word_start,
    char_positions,
    gate,
    required_literal,
    words_at_start,
)

AFFIRMED = "affirmed"
NEGATED = "negated"
HYPOTHETICAL = "hypothetical"
REFERENCE = "reference"
UNCERTAIN = "uncertain"
NOT_ASSESSABLE = "not_assessable"
ASSERTIONS: tuple[str, ...] = (AFFIRMED, NEGATED, HYPOTHETICAL, REFERENCE, UNCERTAIN, NOT_ASSESSABLE)
"""Every claim has exactly one of these."""
VERIFIED_ASSERTIONS: frozenset[str] = frozenset({AFFIRMED, NEGATED})
"""Only these are checked against the truth; the others are counted and stored."""
_LEADS_AHEAD_RE = re.compile(
    r"\s*(?:the\s+)?(?:leads?\s+)?(?:v[1-6]|av[lrf]|i{1,3}(?![a-z])|(?:[a-z\-]+\s+){0,2}leads?(?![a-z]))")
"""Leads right after a cue's words: "... may be seen in V1-V3", "... in the inferior leads"."""
_DENIED_WORD_AT_RE = re.compile(
    r"\s+(?:(?:appear|seem|look)\s+(?:to\s+be\s+)?)?(?:(?:at\s+all|really|particularly|significantly|overly)\s+)?"
    r"[a-z]+\s+(?:at|with)\s+(?:(?:about|around|approximately|roughly|just)\s+)?[~≈]?\s*")
"""A denied word and "at" before a number: "isn't prolonged at 180 ms", "does not appear
prolonged at 180 ms" measure it."""
_CAUSE_OF_RE = re.compile(r"(?<![a-z])(?:cause|causes|reason|reasons|etiology|aetiology|origin|explanation|mechanism)"
                          r"\s+(?:of|for)\s")
"""What a denial after a finding denies instead of it: "the cause of the bradycardia is not evident"."""
_LIST_LABEL_RE = re.compile(r"[\s*#>\-•]*(?:[a-z']+[ \t]+){0,7}[a-z']+[ \t*]*")
"""A short label before a colon: words only, at most eight (markdown around it allowed)."""
_PRIORITY = {NOT_ASSESSABLE: 5, REFERENCE: 4.5, HYPOTHETICAL: 4, UNCERTAIN: 2, NEGATED: 1}

PSEUDO = "pseudo"
TERMINATE = "terminate"
FORWARD, BACKWARD, BOTH, SENTENCE = "forward", "backward", "both", "sentence"
BACK_SENTENCE = "back_sentence"

_BE = ("be ", "be reliably ", "be accurately ", "be confidently ", "be clearly ", "be properly ",
       "be definitively ", "be definitely ", "be safely ", "be adequately ", "be precisely ")


def _expand(*patterns: str) -> list[str]:
    """Phrases from patterns with alternatives in braces: "can{not|'t} be {assessed|judged}"."""
    out: list[str] = []
    for pattern in patterns:
        parts = re.split(r"\{([^}]*)\}", pattern)
        choices = [p.split("|") if i % 2 else [p] for i, p in enumerate(parts)]
        out.extend(re.sub(r"\s+", " ", "".join(c)).strip() for c in product(*choices))
    return out


_EARLIER_ECG = ("{previous|prior|earlier|old|older|former|preceding|last|baseline} "
                "{ecg|ecgs|ekg|ekgs|tracing|tracings|trace|recording|recordings|study|strip|strips|one}")
"""An earlier ECG named ("your previous ECG"): what it showed is not about this ECG. (No
phrase starts with an article: "the" and "a" would each be looked up at every occurrence.)"""
_CRITERION_OPENERS = ("for {the|a} diagnosis of", "to {make|establish} {the|a} diagnosis of", "to diagnose")
"""What opens a sentence of criteria ("To diagnose LBBB you need a QRS of at least 120 ms and no Q
waves in V6"): when it opens its sentence, every item of it is a criterion."""
_EARLIER_OPENERS = (_EARLIER_ECG, "back then", "at that time", "at the time of the previous", "last time",
                    "{was|were} previously", "had previously", "used to {be|have|show}")
_EARLIER = "{the|your|an|a|} {previous|prior|earlier|old|older|former|preceding|last|baseline}"
"""The start of an earlier ECG's name, as far as a comparison with it must read."""
_CANNOT = "{cannot|can't|can not|could not|couldn't|can no longer|is not able to|are not able to}"
_ASSESSED = "{assessed|measured|determined|evaluated|judged|interpreted|estimated|calculated|quantified|read|commented on|established}"

# (phrases, kind, direction). Phrases are lower-case word sequences; a trigger matches
# whole words, the longest phrase at a position wins.
TRIGGER_TABLE: tuple[tuple[list[str], str, str], ...] = (
    # -- pseudo-triggers: they contain a trigger word but trigger nothing -----------------
    (_expand("no {change|changes|significant change|significant changes|interval change|new changes|"
             "acute change|acute changes|further|doubt}", "no {longer|shorter|wider} than",
             "not {only|just|necessarily|otherwise|always|uncommon|unusual|infrequent}",
             "without doubt", "whether or not", "if any", "as well as", "normal sinus",
             # reassurance about a finding denies nothing: "Don't worry about the T wave abnormality"
             "{don't|do not|dont|no need to|nothing to} worry about", "{don't|do not|dont} be {worried|alarmed} by",
             "not only", "neither {too |}{fast|slow|tachycardic|bradycardic} nor {too |}{fast|slow|tachycardic|bradycardic}",
             "nor slow", "nor fast", "no more than", "no less than",
             "not more than", "not less than", "not exceeding", "not longer than", "not shorter than",
             "not greater than", "not below", "not above", "not to exceed",
             # how a number strikes the reader hedges nothing: "That QTc of 452 might sound alarming"
             "{may|might|could} sound", "{may|might|could} {seem|look} {alarming|scary|worrying|frightening|high|low}",
             # an estimate of this tracing's value states it ("I'd estimate 80-90 ms", "I would
             # put the axis at about +60"): "would" is no condition there
             "{i|we} would {estimate|put|place|measure} {it|this|that|the|}",
             "if present", "if so", "voltage criteria", "by criteria", "normal variant", "can see",
             "i can see", "we can see", "you can see", "as you can see", "can be seen here", "could be seen here",
             "no further", "should not be used", "{cornell|sokolow|lyon|voltage|lvh} criteria",
             "meeting criteria", "meets criteria", "criteria for lvh are met",
             "{often|usually|generally|typically|commonly|frequently|mostly} {harmless|benign|reassuring|innocent|"
             "insignificant|nothing to worry about|a normal variant|normal|fine|common}", "cannot be used", "can't be used",
             "{meets|meet|meeting|fulfils|fulfills|fulfilling|satisfies|satisfying} {the|} criteria",
             "criteria {are|were|is|was} {met|fulfilled|satisfied}",
             # a search that was made, not advice: "I looked for Q waves ... and found none"
             "{looked|checked|searched|screened} for",
             # a change, no disappearance: "my axis has gone from -17 to -55", "the rate has gone up"
             "{has|have|had} gone {from|up|down|to}",
             # "when" in a story about the past is a time, no condition ("When the result came
             # back, it said sinus rhythm"); "wider than usually seen" compares this case's
             "when {i|we|you|he|she|they|my doctor|the doctor|the nurse|the technician|the cardiologist} "
             "{was|were|had|did|got|went|came|saw|looked|checked|called|asked|told|posted|read}",
             # "When the ECG was recorded, the rate was 120 bpm": a time, no condition
             "when {the|this|that|your|my} {ecg|ekg|tracing|recording|strip|trace} {was|were}",
             "when {the|my} {ecg|ekg|} {result|results|report|printout|test} {was|were|came|came back|got}",
             "than normal",  # "wider than normal (more than 120 ms)" defines wide; no normal limit
             "than {usually|typically|normally|generally|commonly} {seen|expected|found|observed}",
             "than is {usually|typically|normally|generally|commonly} {seen|expected|found|observed}",
             # the cause of this case's finding is no list of causes of a finding in general
             "{causes|cause|etiology|etiologies|aetiology|aetiologies} {of|for} {the|this|these|your|his|her|its|their}",
             # a finding nobody talked about is still there: "the doctors never mentioned the
             # sinus bradycardia to me", "she didn't say anything about the long QT"
             "{never|not|didn't|didnt|did not|hasn't|has not|haven't|have not} {mentioned|mention|brought up|bring up|"
             "explained|explain|discussed|discuss|said anything about|say anything about|told me about|tell me about}",
             # a comparison with an earlier ECG describes this one
             # (the phrase ends at the adjective: the earlier-ECG cue that starts there is then not read)
             f"{{compared|comparison}} {{with|to}} {_EARLIER}", f"{{unlike|as on|as in|than|from|since|versus|vs}} {_EARLIER}",
             f"{{new|unchanged|same as|similar to}} {{compared|}} {{with|to|since|from|on|}} {_EARLIER}",
             "{generally|commonly|usually|widely} {accepted|used|quoted|cited}",  # "the generally accepted upper limit"
             "than {the|} {typical|usual}",  # "shorter than the typical range": this ECG's value compared
             "{within|in} {a|the} typical", "within typical",  # "88 bpm, which is within a typical range"
             # the features of this recording are its findings
             "{key feature|key features|hallmark|hallmarks|main feature|main features} of {this|the|your} "
             "{ecg|ekg|tracing|recording|strip|rhythm strip}",
             # this ECG shows a condition's features: "V1 showcases the classic features of RBBB"
             "{shows|show|showing|showcases|demonstrates|demonstrating|exhibits|exhibiting|displays|displaying|has}"
             " {the|} {classic|typical|characteristic} {features|pattern|findings|signs|appearance|morphology} of",
             "{not|isn't|wasn't|isnt|wasnt|is not|was not} too {slow|fast} or too",  # "not too slow or too fast": normal
             # this recording described: "Overall, the ECG is characterized by atrial fibrillation"
             "{ecg|ekg|tracing|recording|strip|rhythm} {is|was} characteri{s|z}ed by",
             # "mostly" said of this ECG's finding: "the QRS complexes are generally narrow",
             # "the QTc is generally within the normal range"
             "{is|are} {generally|largely|mostly} {within|normal|narrow|upright|unremarkable|regular|preserved}",
             # a criterion met by this ECG ("so the voltage criterion for LVH is met")
             "{criterion|criteria} {for lvh|for left ventricular hypertrophy|} {is|are|was|were} {met|fulfilled|satisfied}",
),
     PSEUDO, FORWARD),
    # -- not assessable ---------------------------------------------------------------------
    (_expand("{cannot|can't|cant|could not|couldn't|couldnt|unable to|not able to} {reliably|accurately|confidently|clearly|"
             "definitively|really|} {determine|assess|measure|evaluate|judge|say|tell|comment on|quantify}",
             "{difficult|hard|impossible} to {say|tell|assess|measure|determine|evaluate|judge|interpret|quantify}",
             "no {valid|reliable|meaningful|accurate} {assessment|measurement|interpretation|evaluation|estimate}",
             "not possible to {assess|measure|determine|evaluate|judge|interpret|quantify|comment on}",
             "{impossible|difficult|hard} to comment on",
             "{is|was} not possible to {assess|measure|determine|evaluate|judge|interpret|quantify|comment on}"),
     NOT_ASSESSABLE, FORWARD),
    # after the label or subject: "Heart rate: unable to determine", "Precise measurement of
    # the PR interval is not possible"
    (_expand("{unable to|cannot|can't|could not|couldn't} {determine|assess|measure|calculate|evaluate|quantify}",
             "{is|are|was|were} not possible",
             # "ST segments: I can't comment reliably because of baseline wander"
             "{unable to|cannot|can't|could not|couldn't} comment {reliably|accurately|confidently|with confidence|}"),
     NOT_ASSESSABLE, BACKWARD),
    (_expand(f"{_CANNOT} {{be|be reliably|be accurately|be confidently|be clearly|be properly|be definitively|"
             f"be adequately|be precisely|be safely}} {_ASSESSED}",
             "{not|un} {reliably|accurately|confidently|clearly|properly|} {assessable|measurable|"
             "evaluable|determinable|interpretable|quantifiable}",
             "unassessable", "unmeasurable", "uninterpretable", "indeterminate", "undeterminable",
             "not reliably", "not reliable", "unreliable",
             "{is|are} not {assessable|measurable|interpretable|evaluable}",
             "obscured by", "not clearly {visible|seen|defined|identifiable}",
             # "the QTc: difficult to judge", "makes the ST segments hard to evaluate"
             "{difficult|hard|impossible|tricky} to {say|tell|assess|measure|determine|evaluate|judge|interpret|quantify}",
             "not {measured|reported|calculated|assessed|determined|evaluated|quantified|measurable here}",
             "{could|can|was|were} not be {measured|reported|calculated|assessed|determined|evaluated}",
             # chat answers of tools that return no value: "QRS duration was not available"
             "{was|were|is|are} not available", "not available", "unavailable"),
     NOT_ASSESSABLE, BACKWARD),
    # "I am unable to provide a specific measurement for the QRS duration", "I cannot give
    # you the PR interval from this ECG"
    (_expand("{unable to|cannot|can't} {provide|give} {you|} {a|the} {specific|} {measurement|value} {for|of}",
             "{unable to|cannot|can't} give you {the|your}"),
     NOT_ASSESSABLE, FORWARD),
    # "The QTc is hard to assess" and "It is hard to assess the QTc"
    (_expand("{is|are} {difficult|hard|impossible} to {see|assess|measure|determine|identify|define}"),
     NOT_ASSESSABLE, BOTH),
    # -- negation -------------------------------------------------------------------------
    (_expand("no", "not", "without", "never", "none", "neither", "nor",
             "absence of", "absent", "negative for", "free of", "lack of", "lacks", "lacking",
             "no evidence of", "no sign of", "no signs of", "no definite", "no significant",
             "rather than", "instead of", "in place of", "rules out", "ruled out",
             "isn't", "aren't", "wasn't", "weren't", "doesn't", "don't", "didn't", "does not",
             "do not", "did not", "is not", "are not", "was not", "were not", "has not", "have not",
             "there is no", "there are no", "denies",
             "{cannot|can't|could not|couldn't|do not|don't|did not|didn't} {see|identify|detect|find|appreciate|visualise|visualize}",
             # chat spells contractions without the apostrophe ("isnt", "dont see")
             "isnt", "arent", "wasnt", "werent", "doesnt", "dont", "didnt", "hasnt", "havent",
             "{cant|couldnt|dont|didnt} {see|identify|detect|find|spot}",
             "{argues|argue|arguing|speaks|speak} against", "no visible", "no discernible", "no clear",
             "no longer", "no longer any", "excluding", "excludes", "which excludes", "this excludes",
             # a conclusion drawn ("the rhythm is regular, ruling out atrial fibrillation"); the
             # advice "rule out" / "to rule out" is hypothetical
             "ruling out", "which rules out", "this rules out", "rules out",
             "kein", "keine", "keinen", "keiner", "ohne",  # German reports (PTB-XL's own)
             # "the PR interval is outside the usual range": not normal
             "outside {the|a|} {usual|typical|healthy|normal|expected|standard|acceptable}"),
     NEGATED, FORWARD),
    # "I looked for Q waves and for inverted T waves, and I didn't find either": the whole
    # sentence before it is denied.
    (_expand("{didn't|did not|couldn't|could not|don't|do not|can't|cannot} {find|see|identify|detect|spot} "
             "{either|either of them|either one|any of them|any of these|them|anything of the sort}",
             "{is|are|was|were} not something {i|we|one} {can|could} {see|identify|find|detect|appreciate|make out}"),
     NEGATED, BACK_SENTENCE),
    (_expand("{is|are|was|were|remains|remain} absent", "absent",
             "not {seen|present|identified|observed|noted|evident|visible|demonstrated|found|detected|apparent|appreciated}",
             "{is|are|was|were} {excluded|ruled out}", "ruled out", "excluded", "none", "resolved",
             "{has|have|had} {resolved|regressed|disappeared|normali{s|z}ed}", "regressed", "{completely|fully} regressed",
             "disappeared", "{is|are|was|were} no longer {present|seen|visible|evident|there|apparent}",
             "no longer {present|seen|visible|evident|apparent}",
             "{is|are} not present", "{is|are|was|were} negative",
             # (longer than "is not", which would take the words and reach forward only)
             "{is|are|was|were} not {seen|identified|observed|noted|evident|visible|demonstrated|found|detected|"
             "apparent|appreciated}",
             # chat: "the irregular rhythm from your last ECG is gone", "the fast rate has settled down"
             "{is|are|has|have} {gone|gone away}", "went away", "{has|have} {settled|settled down|calmed down}",
             # LLM answers: "right bundle branch block does not appear to be present" (longer
             # than "does not", which reaches forward only)
             "{does|do|did} not {appear|seem} {to be|} "
             "{present|there|evident|visible|seen|apparent}",
             "{doesn't|don't|didn't|doesnt|dont|didnt} {appear|seem} {to be|} {present|there|evident|visible|seen|apparent}"),
     NEGATED, BACKWARD),
    # "unlikely" denies, before or after its finding ("an inferior infarct is unlikely",
    # "it is unlikely to be atrial fibrillation")
    (_expand("unlikely", "{is|are|seems|seem|appears|appear|looks|look|remains|remain} {very|highly|quite|most|} unlikely",
             "criteria {are|were|is|was|} not {met|fulfilled|satisfied}", "not {met|fulfilled|satisfied}",
             "{are|were|is|was} not {met|fulfilled|satisfied}"),
     NEGATED, BACKWARD),
    (_expand("unlikely", "it is unlikely", "{is|are} unlikely to be", "nothing to {suggest|indicate}",
             "nothing {suggestive|indicative} of", "nothing {like|resembling}",
             "nothing {here|else|on this ecg|on this tracing|in this tracing|} {suggests|indicates|points to|shows}",
             # "I don't think this is first-degree AV block": a denial, not a hedge
             "{don't|do not|dont} think {this|it|that|there} {is|are|represents|shows}",
             "{don't|do not|dont} think {it's|that's|there's|its|thats|theres}"),
     NEGATED, FORWARD),
    # -- uncertain ------------------------------------------------------------------------
    (_expand("{possible|possibly|probable|probably|likely|presumably|presumed|presumptive|"
             "perhaps|maybe|questionable|equivocal|borderline|suspected|apparently|putative}",
             "{suspicious|suggestive|concerning|worrisome|indicative of possible} {of|for}",
             "{cannot|can't|can not|could not|couldn't} {exclude|rule out|be excluded|be ruled out|be fully excluded|fully exclude}",
             "not {excluded|ruled out}", "{suggesting|suggests|suggest|suggested}",
             "{raises|raise|raising} the {possibility|question|concern} of", "question of", "query",
             "differential {diagnosis|includes}", "{consider|considered} {possible|possibly}",
             "versus", "vs", "or possibly", "{is|are|seems|appears} {possible|likely|probable|suspected}",
             "{not|un} {certain|clear|definite|definitive}", "uncertain", "unclear",
             "{favour|favor|favours|favors}", "{likely|probably|possibly} {represents|reflects|due to}",
             "{pattern|changes} {raising concern|concerning}", "nonspecific but",
             "{borders|bordering|borderline} on", "{at|on} the {border|borderline|edge|verge} {of|between}",
             # machine statements: "Minimal voltage criteria for LVH, may be normal variant"
             "{minimal|marginal} {voltage|} criteria for",
             "think", "suspect", "guess",  # "I think sinus", "I suspect LBBB", "my guess is flutter"
             "{i|we} would say", "d say",  # "I would say sinus rhythm at 72": an opinion of this tracing
             # a hedged conclusion: "left axis deviation, possibly indicating LAFB" (longer than
             # the "indicating" that ends a scope)
             "{possibly|probably|likely|perhaps|presumably|most likely} {indicating|representing|reflecting|signifying}",
             "there {is|are|was|were} {questionable|equivocal|doubtful}",  # (the finding follows)
             # "If I'm reading this right, the QRS is 130 ms"
             "if {i'm|im|i am|we're|we are} {reading|seeing|interpreting|measuring} {this|it|the tracing|the strip|"
             "the grid|the ecg|the ekg|the image|the trace|the rhythm strip|} {right|correctly}",
             "if i {read|see|measure} {this|it|the grid|the tracing|the strip|the image} {right|correctly}"),
     UNCERTAIN, FORWARD),
    (_expand("{may|might} {be|be present|be seen|have}", "may", "might", "could be present"),
     UNCERTAIN, BOTH),
    # A finding said to "reflect" or "be due to" something is there; the hedge is on what
    # it means: "the ST depression in V5-V6 may reflect digoxin effect", "the QRS widening
    # is likely due to a right bundle branch block".
    (_expand("{may|might} {also|} {represent|reflect|indicate|suggest|signify|correspond to|be due to|"
             "be indicative of|be suggestive of|be evidence of|"
             "be related to|be consistent with|be secondary to|be explained by|be caused by|be a sign of|"
             "point to|be attributable to|be a normal variant|be a normal finding|be normal for|be benign|"
             "be physiological|be nonspecific|be rate related|be positional}",
             "{is|are|was|were|seems|seem|appears|appear} {most|} {likely|probably|possibly|presumably} "
             "{due to|secondary to|related to|caused by|explained by|attributable to|a result of|a sign of|"
             "from|reflecting|representing}"),
     UNCERTAIN, FORWARD),
    (_expand("could {be|represent|reflect|indicate|suggest|signify|correspond to|be due to|be related to|"
             "be indicative of|be suggestive of|be consistent with|"
             "point|point to|point towards|point toward|hint|hint at}"),
     UNCERTAIN, FORWARD),
    (_expand("{must|should|could|needs to|need to|has to} be {considered|excluded|ruled out}",
             "questionable", "equivocal", "suspected", "doubtful",
             "versus", "vs"),  # a differential hedges both sides: "junctional rhythm vs sinus bradycardia"
     UNCERTAIN, BACKWARD),
    # a rule of practice, no hedge of this case: "atrial flutter with 2:1 block must always be considered"
    (_expand("{must|should|needs to|has to} always be {considered|excluded|ruled out|sought}"), HYPOTHETICAL, BACKWARD),
    (_expand("{is|are|seems|appears|remains} the {most likely|likeliest|most probable|probable|likely} "
             "{explanation|diagnosis|interpretation|rhythm|cause|culprit|possibility}",
             "{is|are|seems|appears|remains} {possible|likely|probable|suspected|uncertain|unclear|"
             "questionable|equivocal|borderline|not excluded}",
             "{cannot|can't|can not|could not} be {excluded|ruled out|fully excluded|completely excluded|entirely excluded}",
             "{is|are|remains} a {possibility|consideration}", "{is|are} {possible|an option} too",
             "{is|are|seems|remains} a {likely|probable|possible} {explanation|diagnosis|interpretation|cause}",
             "{is|are} not {excluded|ruled out}", "not excluded"),
     UNCERTAIN, BACKWARD),
    # -- hypothetical, generic, textbook, criterion, advice ---------------------------------
    (_expand("if", "unless", "whether", "in case of", "in the event of", "should there be",
             "such as", "eg", "for instance", "typical", "classic", "characteristic", "characteristic of",
             "tends to", "tend to",
             "as seen in", "as in", "as occurs in",
             "criteria", "criterion", "defines", "define", "definition of",
             "{look|looking|watch|screen|monitor|evaluate|assess} for", "to {rule out|exclude|evaluate|assess}",
             # advice and requirements: "make sure the QTc is below 450 ms", "the PR must exceed 200 ms"
             "make sure", "ensure that", "ensure the", "ensuring",
             "must {exceed|be at least|be longer than|be greater than|be more than|be over|be above|be less than|"
             "be shorter than|be under|be below|measure}",
             "rule out",
             "{consider|considering|recommend|recommended|recommends|advise|advised|suggest checking}",
             "{risk|risks} of", "at risk", "predispose", "predisposes", "expected", "would expect",
             "expect", "when", "whenever",
             "{a|an} {typical|classic}", "threshold for", "cutoff for", "cut off for",
             "as expected {with|in|for|from} {a|an|the|}",  # "... in the lateral leads, as expected with a BBB"
             # "criteria for the diagnosis of LVH" (a diagnosis "supported" or "consistent with"
             # is this ECG's: "the findings support a diagnosis of atrial fibrillation")
             *_CRITERION_OPENERS,
             "{hallmark|hallmarks} of", "key {feature|features} of",
             "diagnostic for", "diagnostic of", "required for", "needed for",
             "were to", "was to", "had been", "had the", "had it", "were the", "were it",
             "defined by", "{is|are} defined by",
             # "two etiologies for an extreme left axis: ...", "causes of a prolonged QT include ..."
             "{causes|cause|etiology|etiologies|aetiology|aetiologies} {of|for}"),
     HYPOTHETICAL, FORWARD),
    # what an earlier ECG showed is not about this one (stopped by "today", "now", "this one")
    (_expand(*_EARLIER_OPENERS), HYPOTHETICAL, FORWARD),
    # ... and so is a number said of it after the fact: "(rate 88 back then)"
    (_expand("back then", "at that time", "last time", "on that {ecg|ekg|tracing|recording|occasion|one}",
             # "the QRS was 100 ms two years ago"
             "{years|months|weeks|year|month|week} ago"),
     HYPOTHETICAL, BACKWARD),
    (_expand("would {suggest|indicate|show|be|mean|make|represent|require|have|cause|produce|look|appear|point|"
             "meet|need|be consistent with|be compatible with|fit}", "would",
             # what a condition will look like is told in general ("the QRS complexes will be
             # narrow", "there will be a prolongation of the PR interval")
             "will",
             "d {call|expect|see|be|consider|classify|label}"),  # "we'd call that tachycardia"
     HYPOTHETICAL, BOTH),
    (_expand("{could|should} {show|be seen|cause|produce|have|require|mean}", "should", "should be",
             "can {cause|produce|mimic|lead to|result in|be seen|occur|appear|be a|be normal|indicate|suggest|be}",
             "{may} {cause|produce|mimic|lead to|result in|be seen in}"),
     HYPOTHETICAL, FORWARD),
    # (a participle after this ECG's finding describes it: "reveals atrial fibrillation,
    # characterized by an irregular rhythm"; only "X is characterized by" defines X)
    (_expand("{is|are|be} characteri{s|z}ed by", "{is|are} defined as", "defined as",
             "{is|are} recogni{s|z}ed by", "{is|are} diagnosed", "diagnosed when", "{is|are} present when",
             "{is|are} {suggested|indicated|likely|called|made} when",
             "produces", "produce", "causes", "first causes", "leads to", "results in", "{require|requires}",
             "{typically|usually|generally|classically|characteristically|commonly|often|frequently|rarely|seldom}",
             "in {paced|sinus|wide|all|most} {rhythms|cases|patients}", "increased risk", "{carries|carry} a",
             "in general", "in an acute", "in acute", "in patients with", "in a patient with", "in children",
             "in {people|patients|those|individuals|adults} who", "in people with",
             "{two|2} contiguous leads", "contiguous leads", "{two|2} contiguous {limb|chest|precordial} leads",
             "{two|2} adjacent leads", "{two|2} adjacent {limb|chest|precordial} leads",
             "is considered", "are considered",
             # "Q waves are pathological if they are wider than 40 ms": the category is conditional
             "if {they|it} {are|is|exceed|exceeds|measure|measures|last|lasts}",
             "generally considered", "is associated with", "are associated with", "for example", "e g",
             "textbook", "in theory", "theoretically", "defines",
             "{is|are} a common finding", "{is|are} {common|usual|frequent} in", "learning point", "rule of thumb",
             "learning points", "teaching point", "teaching points", "clinical pearl",
             # who has a finding as a normal one: "T-wave inversion in V1 is normal in adults"
             "{is|are} {usually|often|generally|} {normal|a normal finding|a normal variant} in {adults|children|infants|"
             "athletes|young|the young|healthy|many|most|women|men|the elderly|older|neonates|newborns|babies}",
             "remember", "recall that", "as a rule", "key features {are|include}", "diagnosis of exclusion",
             # a case supposed: "Imagine a patient with a QTc of 520 ms", "Suppose the PR is 240 ms; ..."
             "imagine", "suppose", "supposing", "{lets|let us} {assume|imagine|suppose}", "hypothetically",
             # what a finding needs: "To be called first-degree AV block, the PR has to be over 200 ms"
             "to be {called|considered|labelled|labeled|classed|classified|diagnosed as}", "to {qualify|count} as",

             "{hallmark|hallmarks} {is|are}",
             # definitions: "a QRS over 120 ms is called wide", "low voltage is said to be present when"
             "{is|are} {called|termed|labelled|labeled|known as|referred to as|classified as}",
             "{is|are} {generally|usually|often|commonly|conventionally} {called|termed|labelled|labeled|known as|"
             "referred to as|classified as}",
             "{is|are} said to", "by definition", "{occurs|occur} when",
             # "Low voltage is when the QRS complexes are smaller than 5 mm", "we speak of left axis deviation"
             "{is|are} when", "{we|one} {speak|speaks|talk} of", "we call", "we call it", "doctors call", "{exists|exist} when", "{refers|refer} to", "think of", "red flag", "red flags",
             "{on|in} an {ecg|ekg|electrocardiogram}",  # "this shows on an ECG as a PR over 200 ms"
             "{stands|stand} for", "is short for", "is an abbreviation for", "{is|are} preferred"),  # "LAD stands for left axis deviation"
     HYPOTHETICAL, SENTENCE),
    (_expand("{is|are} typical", "{is|are} characteristic",
             "{is|are} {required|needed|used|diagnostic}", "{is|are} expected"),
     HYPOTHETICAL, BACKWARD),
    # a range or limit said to be normal ("(60-100 is normal)", "under 450 is normal for men");
    # a plain number so judged is this ECG's ("the QRS of 90 ms is normal")
    (_expand("{is|are} {considered|usually|generally|typically|} normal"), REFERENCE, BACKWARD),
    # -- reference ranges and normal limits (numbers only) -----------------------------------
    (_expand("normal", "normally", "normal range", "normal ranges", "normal value", "normal values",
             "normal limit", "normal limits", "reference", "ref", "reference range",
             "reference value", "upper limit", "lower limit", "upper limit of normal",
             "lower limit of normal", "uln", "lln", "limit", "limits", "cutoff", "cut off",
             "threshold", "thresholds", "cutoffs", "cut offs", "healthy", "in adults", "in healthy adults", "nl", "norm",
             "usual", "conventional", "expected range", "normal values are", "recall the normal values",
             # "Typical values: PR 120-200 ms, QRS < 120 ms" (the values, not a typical case)
             "{typical|usual|expected} {values|value|ranges|range|limits} {are|is|}",
             "{for|in} most {people|individuals|adults}"),  # "the average rate for most people ranges from 60 to 90"
     REFERENCE, FORWARD),
    # "In healthy individuals, the axis should lie between -30° and +90°"
    (_expand("in healthy {individuals|adults|people|subjects|hearts}"), REFERENCE, SENTENCE),
    # -- termination: a new clause starts ---------------------------------------------------
    (_expand("but", "however", "although", "though", "whereas", "while", "yet", "except",
             "apart from", "aside from", "other than", "besides", "consistent with",
             "compatible with", "in keeping with", "indicating", "indicative of", "which", "who",
             "otherwise", "instead", "then", "therefore", "thus", "hence", "due to",
             "secondary to", "because", "since", "and the", "and there", "the rest", "elsewhere",
             "on the other hand", "in contrast", "by contrast", "meaning", "confirming",
             "and a", "and an", "with a", "with an", "indicates", "indicate", "means", "implies",
             "with the", "because of", "given", "owing to",
             # the present ECG after an earlier one: "back then ...; today ..."
             "today", "now", "this one", "this time", "currently", "at present", "on this tracing",
             "on this ecg", "on today's",
             # this case's value after a rule: "A bundle branch block would show a QRS over 120 ms, and yours is 92"
             "{and|so|while} {yours|your|you're|youre}"),
     TERMINATE, FORWARD),
)
"""The trigger table: (phrases, kind, direction); kind is an assertion status, PSEUDO or
TERMINATE. Assertion triggers of one kind may be listed in several directions."""

_EARLIER_PHRASES = frozenset([*_expand(*_EARLIER_OPENERS), "time ago"])
"""The cues that date what follows to an earlier ECG (``_add_earlier_times``'s among them)."""
_LIST_JOINS = frozenset(_expand("and the", "and there", "and a", "and an", "with a", "with an", "with the"))
"""Terminators that join one more finding to a clause: after an earlier ECG's opening, the
finding is that ECG's too ("Last year the rate was 60 and there was ST depression")."""
_PRESENT_TERMINATORS = frozenset(_expand("today", "now", "this one", "this time", "currently", "at present",
                                         "on this tracing", "on this ecg", "on today's"))
_PRESENT_WORD_RE = re.compile(r"(?<![a-z])(?:current|currently|present|new|newer|latest|recent|today|now|this)(?![a-z])")
"""Words of a clause about this ECG after an earlier one's ("and the current one shows ...")."""
_CRITERION_PHRASES = frozenset(_expand(*_CRITERION_OPENERS))
_STRONG_TERMINATORS = frozenset({"but", "however", "although", "though", "whereas", "while", "yet", "except",
                                 "on the other hand", "in contrast", "by contrast", "otherwise",
                                 *_expand("{and|so|while} {yours|your|you're|youre}")})
_REFERENCE_PLAIN = frozenset(_expand(
    "upper limit", "lower limit", "upper limit of normal", "lower limit of normal", "uln", "lln",
    "limit", "cutoff", "cut off", "threshold", "thresholds", "cutoffs", "cut offs"))
"""Reference cues after which a plain number is a limit too ("ULN 450 ms"); after the
others ("normal 120-200 ms") only a range or a bound is a reference claim."""
_CATEGORY_HEDGES = frozenset(["borderline", "borderline on", *_expand("{is|are|seems|appears|remains} borderline",
    "{borders|bordering} on", "{at|on} the {border|borderline|edge|verge} {of|between}")])
"""Hedges of a category, not of a measured number."""
REFERENCE_REACH_WORDS = 6
"""A reference cue covers numbers at most this many words after it."""


_ITEM_MARKUP = " \t\n*_#-•+>"
"""List, heading and emphasis markup that may stand before the first word of an item."""


class Cue(NamedTuple):
    start: int
    end: int
    kind: str
    direction: str
    phrase: str


def _build_table() -> dict[str, list[tuple[tuple[str, ...], str, str, str]]]:
    table: dict[str, list[tuple[tuple[str, ...], str, str, str]]] = {}
    for phrases, kind, direction in TRIGGER_TABLE:
        for phrase in phrases:
            words = tuple(phrase.split())
            if words:
                table.setdefault(words[0], []).append((words, kind, direction, phrase))
    for entries in table.values():
        entries.sort(key=lambda e: -len(e[0]))
    return table


_TABLE = _build_table()
_WORD_RE = re.compile(r"[a-z]+(?:['’]t)?")
_LIST_CLOSE_RE = re.compile(r"\s(?:or|nor)\s")
_INSERTION_RE = re.compile(
    r",\s*(?:such\s+as|as\s+(?:would\s+be\s+|might\s+be\s+|may\s+be\s+|is\s+|are\s+)?seen\s+in|as\s+in|like"
    r"|e\.g\.|for\s+example|(?:often|usually|typically|commonly|generally|classically|frequently|mainly|primarily)"
    r"\s+(?:used|seen|regarded|considered|associated|employed|referred|called))\b[^,;.()]*,")
"""An aside between commas ("ST elevation, such as would be seen in pericarditis, is ...";
"Lead aVR, often used to judge global ischaemia, shows ..."): its words qualify the finding
or lead before it and its cues stay inside it."""
_DASH_RE = re.compile(r"\s[—–-]\s|—")
"""A dash between words ends the reach of a sentence-wide cue ("a little long — it's usually
harmless")."""
_SPACED_HYPHEN_RE = re.compile(r"-(?<=\s-)(?=\s)")


def _dashes(lowered: str) -> list[int]:
    """Where ``_DASH_RE`` matches. It has no literal to skip ahead to and is tried at every
    character; a text without en or em dashes (the usual) has its spaced hyphens found
    from the hyphen instead."""
    if "—" in lowered or "–" in lowered:
        return [m.start() for m in _DASH_RE.finditer(lowered)]
    out: list[int] = []
    for m in _SPACED_HYPHEN_RE.finditer(lowered):
        if not out or m.start() - 1 >= out[-1] + 3:  # " - - ": the second shares a space
            out.append(m.start() - 1)
    return out
_UNLIKELY = frozenset(_expand("unlikely", "{is|are|seems|seem|appears|appear|looks|look|remains|remain} {very|highly|quite|most|} unlikely",
                               "it is unlikely", "{is|are} unlikely to be"))
_SUGGEST = frozenset(_expand("{suggesting|suggests|suggest|suggested}"))
"""A finding the findings "suggest" is "unlikely" is denied, not hedged."""
_AND_RE = re.compile(r"\s(?:and|with)\s")
_UNCHECKED_WAVE_RE = re.compile(r"(?<![a-z])(?:p|delta|flutter|fibrillatory|f)[- ]?waves?(?![a-z])|pac(?:ing|emaker)\s+spikes?")
"""Waves and spikes gemeval does not check, denied before a finding joined by "and"."""
_USUALLY = frozenset({"typically", "usually", "normally", "generally"})
_IS_NORMAL = frozenset(_expand("{is|are} {considered|usually|generally|typically|} normal"))
"""A range or limit before it said to be normal (see the trigger table)."""
_USUAL_VALUE_RE = re.compile(r"\s*(?:(?:under|below|less\s+than|between|up\s+to|over|above|more\s+than|at\s+least|from"
                             r"|about|around|approximately)\s*)?[<>≤≥]?=?\s*\d")
"""A value right after "typically" (see ``_usual_value``)."""
_EXAMPLE_CUES = frozenset({"such as", "eg", "for instance"})
_FINDINGS_BEFORE_RE = re.compile(r"(?<![a-z])(?:changes|abnormalit(?:y|ies)|findings|deviations|variations)"
                                 r"(?:\s+(?:in|of|on|across|throughout)\s[^,;.:()]{0,40})?[\s,]*$")
"""A noun for this ECG's findings right before "such as" (see ``_examples_of_findings``)."""
_PARENTHESIS_RE = re.compile(r"\([^()]*\)")
_STANDS_ALONE_RE = re.compile(r"\s*[,;)]")
_PREMISE_RE = re.compile(
    at_word_start("in") + r"\s+(?:the\s+case\s+of\s+)?(?:an?\s+)?(?!(?:this|these|those|that|the|our|your|his|her|my|its|their|some|all|each"
    r"|every|both|either|lead|leads|summary|conclusion|addition|short|brief|total|particular|contrast|comparison"
    r"|general|fact|other|retrospect|view|keeping|detail|terms|order|case|sum|line|light|spite|most|many|any|front"
    r"|part|here|there|which|what|how|turn|sequence|isolation|effect|practice|principle|essence|context|relation"
    r"|respect|regard|response|reply|answer)(?![\w'-]))"
    r"(?P<np>[a-z][\w'\-]*(?:\s+[a-z][\w'\-]*){0,4}?)(?:\s*,|\s+(?=there\s+(?:is|are|will|may|can)(?![a-z])))")
"""A generic premise opening a sentence: "In RBBB, ...", "In acute pericarditis, ...", "In
children and young adults, ...", "In first-degree AV block there is ..." (no determiner
pointing at this case, no lead)."""
_CONDITION_HEADS = (
    "syndrome", "syndromes", "pattern", "disease", "hyperkal(?:a)?emia", "hypokal(?:a)?emia", "hypercalc(?:a)?emia",
    "hypocalc(?:a)?emia", "hypothermia", "pericarditis", "myocarditis", "embolism", "toxicity", "effect",
    "bundle branch block", "[lr]bbb", "lafb", "lpfb", "wpw", "wolff-parkinson-white", "stemi", "nstemi", "infarction", "isch(?:a)?emia",
    "hypertrophy", "lvh", "rvh", "fibrillation", "flutter", "enlargement", "cardiomyopathy", "dextrocardia",
    "pre-?excitation", "aneurysm", "rhythm", "rhythms", "tachycardia", "bradycardia", "arrhythmia", "block", "blocks",
    "hemiblock", "lahb", "axis deviation", "repolari[sz]ation",
    # states and groups of people a premise names: "In pregnancy the axis can shift to the left"
    "pregnancy", "athletes", "children", "infants", "neonates")
_GROUP_NEEDLES = gate("patients", "people", "persons", "individuals", "anyone", "someone", "athletes", "those")
_GROUP_WITH_RE = re.compile(
    words_at_start("patients", "people", "persons", "individuals", "anyone", "someone", "athletes", "those")
    + r"\s+with(?![a-z])")
"""A group of people with a condition, as a subject ("Patients with WPW have ...")."""
_DEFINED_KIND_RE = re.compile(
    words_at_start(r"clinically\s+significant", "significant", r"pathologic(?:al)?", r"ischa?emic")
    + r"\s+[a-z][a-z\- ]{1,30}?\s+(?:is|are)\s+"
    r"(?:(?:usually|typically|generally|often)\s+)?(?:at\s+least|(?:more|greater|wider|deeper|longer|less|shorter)\s+than"
    r"|over|above|beyond|[<>≥≤])")
"""A kind of finding and its bound: "Pathological Q waves are at least 40 ms wide"."""
_EARLIER_TIME_RE = re.compile(
    r"(?<![a-z])(?:(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten|a\s+few|a\s+couple\s+of|several|a)\s+"
    r"(?:years?|months?|weeks?)\s+ago|last\s+(?:year|month|week|spring|summer|autumn|fall|winter)"
    r"|in\s+(?:19|20)\d\d)(?![a-z\d])")
"""A time long past: "two years ago", "last year", "in 2021"."""
_USUALLY_WORDS = ("usually", "often", "generally", "typically", "commonly", "frequently", "mostly")
_USUALLY_NORMAL_NEEDLES = gate(*(f"{word} {predicate}" for word in _USUALLY_WORDS for predicate in ("normal", "a normal")),
                               "benign", "harmless", "innocent", "insignificant")
"""What a text with such a predicate holds (the pattern below is tried only there)."""
_USUALLY_NORMAL_RE = re.compile(
    r"\s(?:is|are)\s+(?:usually|often|generally|typically|commonly|frequently|mostly)\s+(?:normal|benign|harmless"
    r"|a\s+normal\s+(?:finding|variant)|innocent|insignificant)(?![a-z])")
"""A predicate that a finding is usually normal ("... is usually normal")."""
_GROUP_PREMISE_RE = re.compile(
    at_word_start(r"for\s+") + r"(?:an?\s+|most\s+|healthy\s+|young\s+|older\s+)?(?:athletes?|adults?|women|men|children|kids|infants"
    r"|people|the\s+elderly|someone\s+your\s+age|people\s+your\s+age)\s*,")
"""A group of people as a premise: "For women, ...", "For an athlete, ..."."""
_INCLUDE_RE = re.compile(at_word_start(r"includes?(?![a-z])"))
_FEATURES_INCLUDE_RE = re.compile(
    words_at_start("signs?", "features?", "findings", "characteristics", "markers", "hallmarks?", "causes",
                   r"differential(?:\s+diagnosis)?")
    + r"\s+(?:of|in|for|that\s+(?:favou?r|suggest|support|point\s+to|indicate))\s+"
    r"[^.;:,\n]{1,50}?\s+(?:include|includes|comprise|comprises)(?![a-z])")
_FEATURE_ADJECTIVES = (r"(?:(?:the|typical|classic|classical|common|key|main|ecg|ekg|electrocardiographic"
                       r"|characteristic|other|important|early|late)\s+){0,3}")
"""What may stand before "signs of ... include" at a sentence start."""
_CONDITION_PREMISE_RE = re.compile(
    r"(?:" + at_word_start("in") + "|" + at_word_start("during") + r")\s+(?:an?\s+)?(?P<np>(?:[a-z][\w'\-]*\s+){0,3}?(?:"
    + "|".join(_CONDITION_HEADS) + r"))\s+(?=the\s)")
"""A condition before the sentence's subject without a comma ("In LBBB the QRS ...")."""
_GENERIC_VERBS = (("show", r"shows?"), ("give", r"gives?"), ("produces", r"produces"), ("features", r"features"),
                  ("displays", r"displays"), ("presents", r"presents\s+with"), ("manifests", r"manifests\s+as"),
                  ("marked", r"is\s+marked\s+by"), ("has", r"has(?!\s+(?:been|had|become|shown|now|not|no)\b)"),
                  ("have", r"have(?!\s+(?:been|had|become|shown|now|not|no)\b)"), ("combines", r"combines"),
                  ("causes", r"causes"), ("consists", r"consists\s+of"), ("requires", r"requires"),
                  ("makes", r"makes"),  # "Left bundle branch block makes ischaemia hard to see"
                  # what a condition does to a wave or interval: "Right bundle branch block widens the QRS"
                  ("widens", r"widens"), ("broadens", r"broadens"), ("prolongs", r"prolongs"),
                  ("lengthens", r"lengthens"), ("shortens", r"shortens"), ("flattens", r"flattens"),
                  ("characteri", r"is\s+characteri[sz]ed\s+by"), ("characteri", r"are\s+characteri[sz]ed\s+by"),
                  ("defined", r"is\s+defined\s+(?:by|as)"), ("defined", r"are\s+defined\s+(?:by|as)"),
                  # what a condition does or does not do to people: "LAHB does not affect life
                  # expectancy", "bundle branch block is not serious", "RBBB is usually harmless"
                  ("does", r"does\s+not\s+(?:affect|increase|cause|mean|need|require|change|shorten)"),
                  ("doesn", r"doesn['’]t\s+(?:affect|increase|cause|mean|need|require|change|shorten)"),
                  ("serious", r"is\s+(?:not|rarely|seldom)\s+serious"),
                  ("harmless", r"is\s+(?:usually|often|generally|mostly)\s+harmless"),
                  ("benign", r"is\s+(?:usually|often|generally|mostly)\s+benign"))
"""Verbs in the present after a condition (pattern), each with a word every match holds."""
assert all(required_literal(verb) for _, verb in _GENERIC_VERBS), "each verb's pattern holds a literal"
GENERIC_VERB_NEEDLES = gate(*(needle for needle, _ in _GENERIC_VERBS))
_GENERIC_VERB_PATTERNS = [(gate(required_literal(verb)), re.compile(at_word_start(verb) + "(?![a-z])"))
                          for _, verb in _GENERIC_VERBS]
"""Each verb on its own, looked for in a text that holds what every match of it holds (its
``required_literal``, a gate; not the word above: "is often benign" has no "harmless"): one pattern of all
of them starts with any of a dozen common letters, and ``re`` tried it at each (a fifth of
the assertion reader's time on a text with one "shows"); one verb's pattern starts with its
letter alone, which ``re`` skips ahead to."""
_GENERIC_SUBJECT_RE = re.compile(
    r"(?:an?\s+)?(?!(?:this|these|that|those|the|your|his|her|our|their|my|its)\b)"
    r"(?:[a-z][\w'\-–]*\s+){0,3}?(?:" + "|".join(_CONDITION_HEADS) + r")\s+"
    r"(?:(?:typically|usually|classically|often|characteristically|generally|commonly)\s+)?")
"""A condition as the subject of a verb in the present: what it looks like in general."""
_CLASSIC_PICTURE_RE = re.compile(
    r"the\s+(?:classic(?:al)?|typical|characteristic)\s+(?:ecg|ekg|picture|pattern|findings|appearance|features)"
    r"\s+(?:of|in)\s")
"""What a condition's picture is, opening a sentence ("The classic ECG of hypothermia shows ...")."""
_NORMAL_ECG_NEEDLE_RE = re.compile(r"normal\s+(?:adult\s+|resting\s+)?(?:ecg|ekg|tracing|electrocardiogram)")
_NORMAL_ECG_SUBJECT_RE = re.compile(
    r"(?:an?\s+)?normal\s+(?:adult\s+|resting\s+)?(?:ecg|ekg|tracing|electrocardiogram)\s+(?:(?:typically|usually|should)\s+)?"
    r"(?:has|have|shows?|will\s+show)(?![a-z])")
"""A normal ECG in general as a sentence's subject, and its verb."""
_IS_A_RES = {verb: re.compile(verb + r"n? (?!(?:bit|little|touch|tad|few|lot|sign|marker|hallmark)(?![a-z]))"
                               r"(?!(?:[a-z\-]+ ){0,2}(?:finding|diagnosis|possibility|consideration|concern|sign)"
                               r"(?![a-z]))")
             for verb in (" is a", " are a")}
"""A definition's verb ("... is a fast rhythm"), not a degree ("is a bit slow") nor what a finding
means (``_MEANING_NOUNS``), nor a judgement on this ECG's finding ("... is a minor finding",
"... is a likely diagnosis", "... is a possibility")."""
_NAMED_KIND_RE = re.compile(
    r"the\s+(?:[a-z][\w'\-–]*\s+){0,3}?(?:pattern|syndrome|criteria|criterion|triad)\s+(?:(?:typically|classically)\s+)?")
_EFFECT_NEEDLES = frozenset({"widens", "broadens", "prolongs", "lengthens", "shortens", "flattens"})
_BARE_SUBJECT_RE = re.compile(
    r"(?!(?:this|these|that|those|the|your|his|her|our|their|my|its|it|which|what|who|she|he|they)(?![a-z]))"
    r"[a-z][\w'\-]*(?:\s+[a-z][\w'\-]*){0,3}\s+")
"""A bare noun phrase of up to four words (no determiner or pronoun first)."""
_DEFINING_NEEDLES = frozenset({"combines", "consists", "characteri", "defined", "requires"})
"""A kind named with "the" ("The WPW pattern combines a short PR and a delta wave", "The
Sgarbossa criteria require ...") before a verb that defines it: the kind, not this case's."""
_GENERIC_MODAL_RE = re.compile(
    at_word_start("can") + r"\s+(?:also\s+|often\s+|sometimes\s+|usually\s+|occasionally\s+)?(?:be|have|indicate"
    r"|suggest|signify|signal|denote|imply|point|mean|represent|reflect|occur|happen|cause|mimic|result|lead|produce"
    r"|accompany|appear|precede|persist|present|manifest|show|give)(?![a-z])")
_CLAUSE_OPENING_RE = re.compile(r"[,;]\s*(?:(?:since|because|as|and|but|so|although|though|while|whereas)\s+)?")
"""A later clause's start: its mark and conjunction."""
_SEEN_RE = re.compile(r"\s+(?:clearly\s+|also\s+)?(?:seen|noted|observed|appreciated|identified|visuali[sz]ed)\s+in")
"""After "can be": where a finding is seen ("can be seen in V5 and V6" names this tracing's leads)."""
_GENERIC_MODAL_SUBJECT_RE = re.compile(
    r"(?!(?:this|these|that|those|the|your|his|her|our|their|my|its|it|there|i|we|you|he|she|they|which|what"
    r"|some|many|most|all|both|each|any|such|one|someone|anyone|everyone|nothing|something)(?![\w'-]))"
    r"[a-z][^,;:!?\n]{0,80}?\s+")
"""A subject of "can" that names a finding in general: no determiner or pronoun first, no
clause mark (its words may hold "the": "T-wave inversions in the inferior leads")."""
_MEANING_VERBS = (("indicat", r"indicates?"), ("suggest", r"suggests?"), ("point", r"points?\s+(?:to|towards?)"),
                  ("signal", r"signals?"), ("impl", r"impl(?:y|ies)"), ("denot", r"denotes?"), ("signif", r"signif(?:y|ies)"),
                  ("mean", r"means?"), ("warrant", r"warrants?"), ("requir", r"requires?"))
_MEANING_NOUNS = (("sign", r"signs?\s+of"), ("marker", r"markers?\s+of"), ("hallmark", r"hallmarks?\s+of"))
"""Verbs of what a finding means ("Deep Q waves indicate prior infarction") and nouns after "is
a" ("Peaked T waves are a sign of hyperkalaemia"), each with a word every match holds."""
MEANING_NEEDLES = gate(*(needle for needle, _ in (*_MEANING_VERBS, *_MEANING_NOUNS)))
_MEANING_PATTERNS = [(needle, re.compile(at_word_start(word) + "(?![a-z])"), noun)
                     for table, noun in ((_MEANING_VERBS, False), (_MEANING_NOUNS, True)) for needle, word in table]
"""Each starts with its literal word (which ``re`` skips ahead to)."""
_COPULA_BEFORE_RE = re.compile(r"\s(?:is|are)\s+(?:one\s+of\s+)?(?:an?\s+|the\s+)?(?:(?:classic|typical|characteristic"
                               r"|earliest|first|key|main|most\s+common|common)\s+)?$")
_SPECIFIC_SUBJECT_RE = re.compile(
    r"(?<![a-z])(?:the|leads?\s+(?:i{1,3}|av[rlf]|v\d)|inferior|lateral|anterior|septal|precordial|limb|chest|high|here"
    r"|today|there|nothing|no|not|none|to|what|which|who|if|when|whether|that|i|we|you)(?![a-z])|[,;:()\[\]\"“”]")
"""What makes a finding's subject this ECG's (a lead, a territory, a definite article; a
measured value is looked for in the sentence) or no bare noun phrase ("There's nothing to suggest ...")."""
_NUMBER_RE = re.compile(r"(?<![a-z\d.])\d+(?:\.\d+)?")
_BOUND_BEFORE_RE = re.compile(
    r"(?:(?<![a-z])(?:between|from|to|above|below|over|under|than|least|most|exceed(?:s|ed|ing)?|beyond|up\s+to)|[<>≤≥±\-–—]"
    r"|\d\s*(?:[a-z/%°]+)?\s+(?:and|or))\s*[+\-−]?\.?\d*$")
_BOUND_AFTER_RE = re.compile(r"s(?![a-z])|\.?\d*\s*(?:[a-z/%°]+\s*)?(?:-|–|—|to\s|or\s+(?:more|less|greater|longer"
                             r"|above|below)|and\s+\d|\+)")
"""What makes a number a bound or a range's end: a word before it, a range or "or more" after
(or a decade: "in the 40s")."""
_OCCURS_IN_RE = re.compile(
    r"(?<![a-z])(?:(?:(?:is|are|may\s+be|can\s+be)\s+(?:(?:commonly|often|typically|usually|classically|frequently"
    r"|mainly|mostly|also)\s+)?(?:seen|found|observed)|occurs?|(?:commonly|often|typically|usually)\s+occurs?)"
    + r"\s+in\s+(?!(?:leads?|the\s+(?:inferior|lateral|anterior|septal|precordial|limb|chest|right|left|high|same"
    r"|above|following|rhythm|tracing|ecg|ekg|strip)|v\d|i{1,3}|av[lrf]|this|these|those|that|your|our|the\s+present"
    r"|today|all|any|most|every|each|both|several|many|some|multiple|one|two|three)(?![a-z]))[a-z]"
    r"|predispos(?:es|ing)\s+to)")
"""Where a finding occurs in general: "... are seen in hyperkalaemia", "... occurs in
ischaemia", "... predisposes to torsades" (not "in V5", "in the inferior leads", "in this
tracing")."""
_THIS_CASE_WORD_RE = re.compile(r"(?<![a-z])(?:this|here|our|present|today|(?<!\sa\s)patient|your|now)(?![a-z])")
"""Words that tie the rest of a sentence to the case at hand ("a patient" is anyone: "... in a
patient with recent chest pain")."""
_CASE_NAMED_RE = re.compile(r"(?<![a-z])(?:this|here|our|today|patient|your|now|(?<!is\s)(?<!are\s)(?<!be\s)present)"
                            r"(?![a-z])")
"""Those words, "present" but as a verb's ("is present": how a rule states its consequence)."""
_REFERENCE_HEADING_RES = tuple(re.compile(
    word + r"\s+(?:ecg\s+|adult\s+)?(?:values?|ranges?|limits?|intervals?)"
    r"(?:\s+(?:in|for)\s+(?:healthy\s+)?adults)?(?:\s*\([^()\n]*\))?") for word in ("normal", "reference"))
"""(One pattern per first word: each starts with a literal, which ``re`` skips ahead to.)"""
_REFERENCE_PREFIX_RE = re.compile(r"(?:(?:typical|usual|adult|ecg|the)(?:\s+|$))*")
"""A heading of a list of normal values ("Normal values", "Typical reference ranges (adults)")."""
_CRITERIA_HEADING_RE = re.compile(r"criteria(?:\s+(?:for|of)\s+[a-z][\w '\-()]{0,40})?")
_CRITERIA_MET_RE = re.compile(r"(?<![a-z])(?:met|meet|meets|meeting|fulfil\w*|fulfill\w*|satisf\w*|this|here|your|our|patient)"
                              r"(?![a-z])")
"""Words of a line that says criteria are met by this case, no list of criteria."""
_HEADING_WORDS_RE = re.compile(r"(?:[a-z][\w\-]*(?:\s+[a-z][\w\-]*){0,2})?")
"""At most three words before "criteria" in a heading ("Diagnostic", "The ECG")."""
_BOUND_AFTER_LABEL_RE = re.compile(
    r":[ \t]*(?:\*\*)?[ \t]*(?P<named>(?:[a-z][\w\-]*[ \t]+){0,2})(?:[<>≤≥]|(?:less|more|greater|longer|shorter"
    r"|lower|higher)\s+than\s|(?:over|under|above|below|at\s+least)\s+[+\-−]?\d"
    # or ranges of the quantities named, two at least: "Normal sinus rhythm: rate 60-100 bpm, PR 120-200 ms"
    r"|(?P<range>[+\-−]?\d[\d.]*\s*(?:[a-z/%°]+\s*)?(?:-|–|to\s)\s*[+\-−]?\d))")
_LABEL_RE = re.compile(r"[a-z][a-z0-9 '\-]{2,40}?(?:\*\*)?[ \t]*")
"""A label line followed by a bound: "Left axis deviation: < -30 degrees", "**Sinus
tachycardia**: rate > 100 bpm"."""
_LABEL_RANGE_RE = re.compile(r"[+\-−]?\d[\d.]*\s*(?:[a-z/%°]+\s*)?(?:-|–|to\s)\s*[+\-−]?\d")
_FINDING_LABEL_RE = re.compile(words_at_start(
    "deviation", "prolong", "long", "short", "tachycardi", "bradycardi", "wide", "broad", "narrow", "hypertroph", "lvh",
    "block", "bbb", "lbbb", "rbbb", "elevation", "depression", r"low\s+voltage", "fast", "slow", r"sinus\s+rhythm",
    "criteria"))
"""Words of a finding in such a label (not a quantity's name: "QRS duration: < 120 ms" is a value)."""
_PREMISE_START_RE = re.compile(r"[\s*\-•#>_]*(?:\d{1,2}[.)]\s*)?(?:\*\*[^*\n]{0,40}\*\*\s*:?\s*|[^\s:*][^:\n]{0,30}:\s*)?")
"""What may stand between a sentence start and its premise: blanks, bullets, a numbered or
bold label ("5. **ST-T**: In LBBB, ...")."""
_PREMISE_OR_LIKE_START_RE = re.compile(_PREMISE_START_RE.pattern + r"(?:(?:unlike|like|as|just\s+as)\s+)?")
"""A premise's start, or a comparison's ("Unlike in atrial flutter, ...", "As in RBBB, ..."): a
premise too where the sentence names no part of this case."""
_CONDITIONS = frozenset({"if", "when", "whenever"})
_LOOKING_RE = re.compile(r"\s+(?:(?:i|we|you|one)\s+(?:look|looks|check|measure|examine|compare|zoom|focus|inspect"
                         r"|read|see)|anything|looking|compared|comparing|viewed|reading|checking)(?![a-z])")
"""After "if"/"when": a look at the tracing ("If you look at V1, ...", "When compared with
..."), no condition."""
_DIFFERENTIAL = frozenset(_expand("differential {diagnosis|includes}"))
_NAMING = frozenset(_expand("{is|are} {called|termed|labelled|labeled|known as|referred to as|classified as|considered}",
                            "{refers|refer} to", "{is|are} when", "we call", "we call it", "doctors call"))
_LIMIT_ADJECTIVES = frozenset({"typical", "typically", "usual", "usually", "classic", "classically"})
_LIMIT_AFTER_RE = re.compile(r"\s+(?:(?:upper|lower)\s+)?(?:limits?|cut-?offs?|cut\s+off|thresholds?)\b")
"""A limit named with "typical" ("longer than the typical upper limit of 200 ms"): the word
describes the limit, it does not make the sentence a generic one."""
_QUOTES = "\"“'‘"
_QUOTE_RE = re.compile("[" + re.escape(_QUOTES) + "]")
_QUOTED_TERM_RE = re.compile(
    r"[\"“'‘][a-z][a-z \-]{1,30}[\"”'’]\s+(?:indicates|means|refers\s+to|describes|stands\s+for|(?:just|simply)\s+means)"
    r"(?![a-z])")
"""A term in quotes and its explanation ('"bradycardia" indicates ...')."""
_IS_DIAGNOSED = frozenset(_expand("{is|are} diagnosed"))
_DEFINITE_SUBJECT_RE = re.compile(r"(?:the|this|your|her|his)\s+(?:[\w'\-]+\s+){0,3}$")
_REFERS_TO = frozenset(_expand("{refers|refer} to"))
_THIS_SUBJECT_RE = re.compile(r"(?<![a-z])(?:this|that|these|those|your|my|our|it|here|which|patient)(?![a-z])")
"""Words of a subject that is this case's ("that ... on your printout refers to")."""
_IS_WHEN = frozenset(_expand("{is|are} when"))
_DETERMINER_RE = re.compile(r"(?:the|this|that|these|those|your|my|our|his|her|its|their|it)(?![a-z])")
_DEMONSTRATIVE_BEFORE_RE = re.compile(r"(?<![a-z])(?:that|this|it|which|what)\s+$")
_LIMIT_WORDS = frozenset(_expand("{upper|lower|} {limit|limits|limit of normal}", "cutoff", "cut off", "threshold",
                                 "thresholds", "cutoffs", "cut offs", "usual",
                                 "conventional", "normal limit"))
_COMPARED_BEFORE_RE = re.compile(
    r"(?<![a-z])(?:below|under|above|over|beyond|exceeds|exceeding|exceeded|(?:longer|shorter|higher|lower|faster"
    r"|slower|more|less|greater|wider)\s+than)\s+the\s+(?:[a-z]+\s+){0,3}$")
_GENERIC_BOUND_NEEDLES = gate("over", "above", "under", "below", "beyond", "exceed", "than", "least", "between", "<",
                              ">", "≤", "≥", "from ",
                              # "A QRS of 120 ms or more is wide" (the "of N ... or more" bound)
                              " or more", " or greater", " or higher", " or longer", " or less", " or lower",
                              " or shorter")
"""Words one of which a generic bound needs (a cheap test before the sentences are read)."""
_FEATURES_OPENING_RE = re.compile(_PREMISE_START_RE.pattern + _FEATURE_ADJECTIVES)
"""A sentence's start and the words that may stand before "signs of ... include"."""
_THRESHOLD_FOR = frozenset(_expand("{threshold|cutoff|cut off} for", "criterion", "criteria"))
_BELOW_THE_RE = re.compile(r"(?<![a-z])(?:below|under|short\s+of|less\s+than|(?:shorter|lower|slower|narrower)\s+than"
                           r"|(?:does|do|did)\s+not\s+(?:reach|meet|exceed))\s+the\s+(?:[\w.]+\s+){0,4}$")
_ABOVE_THE_RE = re.compile(r"(?<![a-z])(?:above|over|beyond|exceeds|exceeding|exceeded|meets|meeting|satisfies"
                           r"|satisfying|fulfils|fulfills|fulfilling|reaches|reaching|(?:longer|greater|higher|more"
                           r"|faster|wider)\s+than)\s+the\s+(?:[\w.]+\s+){0,4}$")
"""A value of this ECG compared with the threshold named next."""
_EXPECTED = frozenset(_expand("{is|are} typical", "{is|are} characteristic", "{is|are} expected"))
_DEFINITE_BEFORE_RE = re.compile(r"(?<![a-z])(?:the|this|these|those|your|its)\s+(?:[a-z-]+\s+){0,2}$")
"""A definite article before a finding points at this ECG's ("the ST elevation ... is
expected in LBBB" states it and explains it)."""
_THIS_CASE_CLAUSE_RE = re.compile(
    r"(?<![a-z])(?:(?:on|in)\s+(?:this|the\s+present|the\s+current|today['’]s|your|our)\s+(?:tracing|ecg|ekg|recording"
    r"|strip|patient|case)|in\s+this\s+patient|(?:here|today)(?=\s*[,.;]))")
"""A clause naming the case at hand."""
_CONTRAST_RE = re.compile(r";|(?<![a-z])(?:but|whereas|however|while)(?![a-z])")
_DASHED_LABEL_RE = re.compile(r"[ \t]*(?:(?:[*\-•+]|\d{1,2}[.)])[ \t]+)?(?:\*\*)?(?P<label>[a-z][^\n*:–—]{1,60}?)"
                              r"(?:\*\*)?[ \t]+[–—-][ \t]+")
"""A list item's label and the dash after it, up to a cue."""
_BULLET_RE = re.compile(r"\n[ \t]*(?:[*\-•+]|\d{1,2}[.)])[ \t]")
"""The first item of a bullet or numbered list, on the next line."""
_SECTION_END_RE = re.compile(r"\n[ \t]*(?:\n|#|\*\*[^*\n]+\*\*[ \t]*:?[ \t]*\n)")
"""Where a markdown section ends: a blank line, a heading, a bold label line."""
_BLANKS_AND_BULLETS = frozenset(" \t\n*-•#>_")
_LEAD_INS = ("note that ", "remember that ", "recall that ", "remember, ", "note: ", "for reference, ", "for comparison, ",
             "as a rule, ", "in general, ", "generally speaking, ")
"""Words that lead in a rule at a sentence's start ("Note that a PR below 120 ms ...")."""
_GENERIC_STARTS = ("a ", "an ", "any ", "anything ", "somewhere ", "anywhere ", "values ", "rates ", "durations ",
                   "intervals ")
_GENERIC_BOUND_RE = re.compile(
    r"(?:an?|any(?:thing|where)?|somewhere|values|rates|durations|intervals)\s+(?P<np>[^.;:?!\n]{0,60}?)(?<![a-z])"
    r"(?:over|above|under|below|beyond|exceeding|between|from|(?:greater|less|more|longer|shorter|wider|higher|lower|faster"
    r"|slower|more\s+negative|more\s+positive)\s+than|of\s+at\s+least|of\s+(?:more|less)\s+than|[<>≤≥]"
    # "An ST elevation of 1 mm or more in two contiguous leads ..."
    r"|of(?=\s*[+\-−]?\.?\d[\d.]*\s*[a-z°/%]*\s+or\s+(?:more|greater|above|higher|longer|less|below|lower|shorter)\b))"
    r"\s*[+\-−]?\.?\d")
"""An indefinite subject with a bound ("A QRS duration over 120 ms", "Values above 500 ms")."""
_NUMBER_AND_UNIT = r"[+\-−]?\.?\d[\d.]*\s*(?:[a-z/%°]+\s+)?"
_BOUND_OPENING_RE = re.compile(
    r"(?P<bound>(?:below|above|under|over|beyond|(?:less|more|greater|lower|higher|longer|shorter)\s+than|between)\s+"
    + _NUMBER_AND_UNIT + r"(?:(?:and|to|-|–)\s*" + _NUMBER_AND_UNIT + r")?)"
    r"(?=(?:is|are|means|counts|would|should|suggests|indicates|defines)(?![a-z]))")
"""A sentence that opens with a bound as its subject: "Below 60 is bradycardia", "Over 100 bpm
means tachycardia", "Between 60 and 100 is normal"."""
_BOUND_WORDS = ("below", "above", "under", "over", "beyond", "less", "more", "greater", "lower", "higher", "longer",
                "shorter", "between")
_IS_NORMAL_RE = re.compile(
    r"[^.;:?!\n]{0,40}?\s(?:(?:is|are)\s+(?:(?:generally|usually|typically|often|still)\s+)?"
    r"(?:(?:considered|regarded\s+as|deemed|taken\s+as)\s+)?|(?:counts?|passes|pass)\s+as\s+)normal(?![a-z])")
"""A generic bound's predicate that makes it a normal limit: "Anything under 450 ms is
considered normal" (reference, as "a normal QTc is under 450 ms" is)."""
_DEFINED_AS_RE = re.compile(
    r"(?!(?:the|this|that|these|those|your|his|her|our|their|my|its|it|there|here)\b)[a-z][a-z\-]*(?:\s+[a-z\-]+){0,3}?"
    r"\s+(?:is|means|refers\s+to|is\s+defined\s+as)\s+(?=(?:an?|any)\s)"
    r"(?!an?\s+(?:bit|little|touch|tad|fraction|shade|hair|few|lot|good\s+deal|notch)\b)")
"""The subject and verb of a definition whose complement is an indefinite bound."""
_DEFINED_AS_VERBS = gate(" is a", " is an", " means a", " means an", " refers to a", " defined as a", " is any")
"""What a text with such a definition holds (a cheap test before its sentences are read)."""
_LIST_INTRO_RE = re.compile(r"(?<![a-z])(?:following|these|those|below|any\s+of)(?![a-z])")
"""Words before a colon that introduce the list after it as what a cue covers."""
_THIS_CASE_RE = re.compile(r"(?<![a-z])(?:this(?!\s+(?:label|term|name|word|category|definition|rule|cut-?off"
                           r"|threshold|limit)(?![a-z]))|here|our|present|seen|noted|observed|shows|patient|today)(?![a-z])")
"""Words that tie a sentence to the case at hand ("this" but of a word or a limit: "Anything
above 0.20 s gets this label")."""
_CIRCUMSTANCE_RE = re.compile(r"(?<![a-z])(?:in|at|during|given|because\s+of|with)\s+(?!leads?\b|(?:i{1,3}|av[rlf]|v\d)\b)")
"""What cannot be assessed ends where the circumstances start ("the QT in atrial fibrillation
at this rate"), unless a lead follows ("the ST segments in V1")."""
_LEAD_WORD_RE = re.compile(r"(?<![a-z])(?:i{1,3}|av[rlf]|v\d+)(?![a-z])")
_RELATIVE_RE = re.compile("(?:" + "|".join(at_word_start(w) for w in ("that", "which", "who")) + ")(?![a-z])")
_COMMENT_RE = re.compile(r"(?:[,;(—–]\s*|\s-\s+)(?:that|who)(?![a-z])|" + at_word_start("which") + r"(?![a-z])|"
                         + at_word_start("and") +
                         r"\s+(?:it|this|that|they|these)(?:['’]s|['’]re|\s+is|\s+are)(?![a-z])")
"""A clause after a finding that comments on it: "which is usually harmless", "and it's very
often due to anxiety"."""
_VERB_RE = re.compile("(?:" + "|".join(at_word_start(w, r"\w") for w in (
    "is", "are", "was", "were", "shows?", "has", "have", "measures?", "appears?", "seems?", "demonstrates?"))
    + r")\b")


_PHRASE_GAP = r"[\s\-/*_]{1,3}"
"""What may stand between a phrase's words (markdown emphasis too: "What I *can't* assess")."""




def _trie(tails: dict[str, str]) -> str:
    """A pattern of the words of ``tails``, each followed by its tail pattern, with shared
    beginnings written once ("no", "not" -> "no(?:t<tail of not>|<tail of no>)"), longer
    words tried first."""
    branches: dict[str, dict[str, str]] = {}
    for word, tail in tails.items():
        if word:
            branches.setdefault(word[0], {})[word[1:]] = tail
    alternatives = [re.escape(first) + _trie(rest) for first, rest in sorted(branches.items())]
    if "" in tails:
        alternatives.append(tails[""])  # a word ends here
    return alternatives[0] if len(alternatives) == 1 else "(?:" + "|".join(alternatives) + ")"


_PHRASE_WORD = r"[a-z]+(?:'t)?"
"""The first word of a phrase: a run of letters with a "'t" of its own ("can't")."""


def _words_trie(tails: list[tuple[str, ...]]) -> str:
    """A pattern of the words that may follow a phrase's word (``tails``, each the rest of a
    phrase; ``()`` where a phrase ends there), with the words they share written once: after
    "is", the 600 phrases that go on are tried by their next word, not one by one. A longer
    phrase is tried before a shorter one; two next words
    never both match (each is followed by a gap or the phrase's end)."""
    children: dict[str, list[tuple[str, ...]]] = {}
    ends = False
    for tail in tails:
        if tail:
            children.setdefault(tail[0], []).append(tail[1:])
        else:
            ends = True
    alternatives = [_PHRASE_GAP + re.escape(word) + _words_trie(rest) for word, rest in sorted(
        children.items(), key=lambda item: (-max(map(len, item[1])), -len(item[0]), item[0]))]
    if ends:
        alternatives.append("(?![a-z])")  # the phrase ends here (tried last)
    return alternatives[0] if len(alternatives) == 1 else "(?:" + "|".join(alternatives) + ")"


def _phrase_pattern() -> re.Pattern[str]:
    """Where a phrase is: its first word whole (``_PHRASE_WORD``, no letter before it, nor
    "n'" before the "t" of "don't"), then the rest of one of its phrases (``_words_trie``).
    The first words are a trie too. The match starts at the character before the word, run
    on the text with a space in front: ``re`` skips ahead to the characters that are no
    letters, where a word can start, instead of trying each letter; most of those are
    followed by no letter that starts a phrase (digits, points, spaces), which one class
    right after turns away before the branches of the trie are tried.

    One scan finds the phrases themselves: the many first words with no phrase of theirs
    there ("the", "is", "at" in most sentences) no longer each cost a match in Python."""
    by_letter: dict[str, dict[str, str]] = {}
    for first, entries in _TABLE.items():
        if re.fullmatch(_PHRASE_WORD, first):  # "2 contiguous leads" starts no phrase
            tails = list(dict.fromkeys(words[1:] for words, *_ in entries))
            by_letter.setdefault(first[0], {})[first[1:]] = r"(?![a-z])(?!'t)" + _words_trie(tails)
    branches = [letter + ("(?<![a-z]'t)" if letter == "t" else "") + _trie(tails)
                for letter, tails in sorted(by_letter.items())]
    return re.compile(rf"[^a-z](?=[{''.join(sorted(by_letter))}])(?:" + "|".join(branches) + ")")


_PHRASE_RE = _phrase_pattern()
_PHRASE_GAP_RE = re.compile(r"[\s\-/*_]+")
"""What may stand between a phrase's words (as ``_phrase_patterns`` writes them)."""


def _phrase_meanings() -> dict[tuple[str, ...], list[tuple[str, str, str]]]:
    """What each phrase stands for, (kind, direction, phrase), by its words
    as a match of it splits into at ``_PHRASE_GAP_RE``: ``read_cues`` knows which phrase its
    scan found from the match's text, without matching it again (no two phrases split into
    the same words)."""
    out: dict[tuple[str, ...], list[tuple[str, str, str]]] = {}
    owner: dict[tuple[str, ...], tuple[str, ...]] = {}
    for entries in _TABLE.values():
        for words, kind, direction, phrase in entries:
            key = tuple(_PHRASE_GAP_RE.split(" ".join(words)))
            assert owner.setdefault(key, words) == words, f"{words} and {owner[key]} read alike"
            out.setdefault(key, []).append((kind, direction, phrase))
    return out


_PHRASE_MEANINGS = _phrase_meanings()


def read_cues(lowered: str) -> list[Cue]:
    """Every trigger, pseudo-trigger and termination phrase of a lowered text, in order
    (the longest phrase at a word wins; a phrase's words are not read again)."""
    cues: list[Cue] = []
    meanings, split = _PHRASE_MEANINGS, _PHRASE_GAP_RE.split
    if "’" in lowered:
        lowered = lowered.replace("’", "'")  # same length: the offsets hold
    for m in _PHRASE_RE.finditer(" " + lowered):
        # The phrase is in ``lowered`` where the match is in the text with a space in front,
        # less its first character (the ``[^a-z]`` before the phrase); the scan goes on after
        # its end.
        start, end = m.span()
        end -= 1
        cues.extend(Cue(start, end, kind, direction, phrase)
                    for kind, direction, phrase in meanings[tuple(split(lowered[start:end]))])
    return cues


_CONDITION_GATE = gate(". in ", "! in ", "? in ", "; in ", "\nin ", "during")
"""What a sentence opened by a condition holds after a first sentence ("In hypokalaemia
the T waves ...")."""
_EARLIER_GATE = gate(" ago", "last ", "in 20", "in 19")
_DEFINED_KIND_GATE = gate("significant", "patholog", "ischemic", "ischaemic")
_OCCURS_GATE = gate(" seen", " found", " occur", " observed")
_FOR_GATE, _CAN_GATE, _PREDISPOSED_GATE = gate("for "), gate("can "), gate("predispos")
_INCLUDES_GATE, _DIAGNOSED_GATE, _CRITERIA_GATE = gate("includ"), gate(" diagnosed"), gate("criteria")
_CLASSIC_GATE, _IS_A_GATE = gate("classic", "typical", "characteristic"), gate(" is a", " are a")
_NORMAL_GATE = gate("normal ")


_IS_NEGATIVE = frozenset(_expand("{is|are|was|were} negative"))
_PREDICATE_DENIALS = frozenset(_expand("not", "{is|are|was|were} not", "isn't", "aren't", "wasn't", "weren't"))
_ONE_WORD_THEN_BREAK_RE = re.compile(r"\s+[a-z][a-z\-]*\s*(?:,|and\s)")
"""A denied predicate of one word, then a comma or "and" that opens the next clause."""
_WAVE_SUBJECT_RE = re.compile(r"(?<![a-z])(?:[tpuqrs][- ]?waves?|qrs(?:[- ]complex(?:es)?)?|complex(?:es)?|deflections?)"
                              r"(?![a-z])[^.;,:]{0,30}$")
"""A wave or complex as the subject of "is negative" (within the clause, before the cue)."""
_ANSWER_WORDS = frozenset({"no", "nope"})
_RULE_LABELS = frozenset(_expand("{learning|teaching} {point|points}", "clinical pearl"))
"""Labels of a rule, that a word of this case in their sentence takes back ("Teaching point:
the QRS here is 130 ms")."""
_SET_OFF_RE = re.compile(r"\s*(?:[—–:!]|-\s)")
"""What sets an answer word off from the clause after it (a comma already ends its reach)."""


def _generic_modal_subject(subject: str) -> bool:
    """Whether ``subject`` (before "can") names a finding in general: no determiner or
    pronoun first, no verb, no measured value ("ST elevation of 2 mm can ..."; a lead's digit
    is none), no word of this case, no dash before a comment ("T-wave inversion in V1 — this
    can be a normal finding")."""
    return not (_GENERIC_MODAL_SUBJECT_RE.fullmatch(subject) is None or _VERB_RE.search(subject)
                or (_NUMBER_RE.search(subject) is not None and not subject.startswith(("a ", "an ")))
                or _THIS_SUBJECT_RE.search(subject) or any(dash in subject for dash in ("—", "–", " - ")))


class AssertionReader:
    """The assertion of claims in one text. ``protected`` are spans whose commas do not end
    a scope (lead lists "II, III, aVF"); ``sentence_ends`` as ``text.sentence_ends``;
    ``literals`` the literals of the rules' gates found in the text (``text.text_literals``):
    a rule whose gate has none of them is not tried."""

    def __init__(self, lowered: str, sentence_ends: list[int], protected: list[tuple[int, int]],
                 literals: set[str]):
        self.lowered = lowered
        self.literals = literals
        self.sentence_ends = sentence_ends
        self.cues = read_cues(lowered)
        if any(c.phrase in _IS_NEGATIVE for c in self.cues):
            # "T waves are negative in V1-V3": a wave's polarity (its finding), no denial
            self.cues = [c for c in self.cues if not (c.phrase in _IS_NEGATIVE and _WAVE_SUBJECT_RE.search(
                lowered, max(0, c.start - 40), c.start))]
        if any(c.phrase in _ANSWER_WORDS for c in self.cues):
            # "No — the axis is normal at +45 degrees": an answer, set off from the clause after it
            self.cues = [c for c in self.cues if not (c.phrase in _ANSWER_WORDS and _SET_OFF_RE.match(lowered, c.end))]
        if any(c.phrase in _RULE_LABELS for c in self.cues):
            # "Clinical pearl: your QRS here is 130 ms" points at this case, no rule
            self.cues = [c for c in self.cues if not (c.phrase in _RULE_LABELS and _THIS_CASE_WORD_RE.search(
                lowered, c.end, self._sentence(c.start)[1]))]
        if any(c.phrase in _LIMIT_ADJECTIVES for c in self.cues):
            self.cues = [c for c in self.cues if not (
                c.phrase in _LIMIT_ADJECTIVES and _LIMIT_AFTER_RE.match(lowered, c.end))]
        if any(c.phrase in _NAMING or (c.kind == REFERENCE and c.phrase in _LIMIT_WORDS) for c in self.cues):
            self.cues = [c for c in self.cues if not self._names_this_finding(c) and not self._compared_limit(c)]
        if any(c.phrase in _IS_NORMAL for c in self.cues):
            # "is normal" read backwards ("(60-100 is normal)") keeps the forward "normal" of its
            # last word ("the PR interval is normal (120-200 ms)")
            self._add_cues([Cue(c.end - len("normal"), c.end, REFERENCE, FORWARD, "normal")
                            for c in self.cues if c.phrase in _IS_NORMAL])
        if any(c.phrase in _USUALLY for c in self.cues):
            self.cues = [self._usual_value(c) for c in self.cues]
        if any(c.phrase in _EXAMPLE_CUES for c in self.cues):
            self.cues = [c for c in self.cues if not self._examples_of_findings(c)]
        if any(c.phrase in _THRESHOLD_FOR for c in self.cues):
            self.cues = [c for c in map(self._compared_threshold, self.cues) if c is not None]
        if any(c.phrase == "may be seen in" for c in self.cues):
            # "ST elevation may be seen in V1-V3": a hedge on the finding before, in those
            # leads (in a condition, "may be seen in hyperkalaemia", it is what the condition shows)
            self.cues = [c._replace(kind=UNCERTAIN, direction=BOTH) if c.phrase == "may be seen in"
                         and _LEADS_AHEAD_RE.match(lowered, c.end) else c for c in self.cues]
        if ", " in lowered or " there " in lowered:
            self._add_premises()
        if " the " in lowered and (lowered.startswith(("in ", "during ")) or not literals.isdisjoint(_CONDITION_GATE)):
            self._add_condition_premises()
        if not literals.isdisjoint(_FOR_GATE) and ", " in lowered:
            self._add_group_premises()
        if not literals.isdisjoint(_EARLIER_GATE):
            self._add_earlier_times()
        if " – " in lowered or " — " in lowered or " - " in lowered:
            self._add_labelled_modals()
        phrases = {c.phrase for c in self.cues}  # (one pass for the two rules below)
        if not phrases.isdisjoint(_CRITERION_PHRASES):
            self._add_cues([c._replace(direction=SENTENCE) for c in self.cues if c.phrase in _CRITERION_PHRASES
                            and _PREMISE_START_RE.fullmatch(lowered, self._sentence(c.start)[0], c.start)])
        if not phrases.isdisjoint(_EARLIER_PHRASES):
            self._extend_earlier_scopes()
        if not literals.isdisjoint(_USUALLY_NORMAL_NEEDLES):
            self._add_usually_normal()
        if not literals.isdisjoint(_DEFINED_KIND_GATE):
            self._add_defined_kinds()
        if not literals.isdisjoint(GENERIC_VERB_NEEDLES):
            self._add_generic_subjects()
        if not literals.isdisjoint(_NORMAL_GATE) and _NORMAL_ECG_NEEDLE_RE.search(lowered):
            self._add_normal_ecg_subjects()
        if not literals.isdisjoint(_CLASSIC_GATE):
            # "The classic ECG of hypothermia shows bradycardia, a prolonged QT and J waves"
            self._add_opening_cues(_CLASSIC_PICTURE_RE, "the classic ECG of ...",
                                   lambda m, start, end: self._about_this_case(start, end))
        if not literals.isdisjoint(_IS_A_GATE):
            self._add_condition_definitions()
        if not literals.isdisjoint(_CAN_GATE):
            self._add_generic_modals()
        meanings = literals.intersection(MEANING_NEEDLES)
        if meanings:
            self._add_generic_meanings(meanings)
        if not literals.isdisjoint(_PREDISPOSED_GATE) or (" in " in lowered and not literals.isdisjoint(_OCCURS_GATE)):
            self._add_where_findings_occur()
        if " with " in lowered and not literals.isdisjoint(_GROUP_NEEDLES):
            self._add_groups_of_people()
        if not literals.isdisjoint(_INCLUDES_GATE):
            self._add_listed_features()
        if _QUOTE_RE.search(lowered) is not None:
            self._add_quoted_terms()
        if not literals.isdisjoint(_DIAGNOSED_GATE):
            self._keep_this_cases_diagnosis()
        if ":" in lowered:
            self._add_defined_labels()
        if any(c.phrase in _CONDITIONS for c in self.cues):
            self.cues = [c for c in self.cues if not (c.phrase in _CONDITIONS and _LOOKING_RE.match(lowered, c.end))]
            self._add_consequents()
        if not literals.isdisjoint(_GENERIC_BOUND_NEEDLES):
            self._add_generic_bounds()
        if "?" in lowered:
            queries = [Cue(m.start(), m.end(), UNCERTAIN, FORWARD, "?") for m in QUERY_MARK_RE.finditer(lowered)]
            self._add_cues(queries)
        if ":" in lowered:
            self._add_hypothetical_lists()
        self.cue_starts = [c.start for c in self.cues]
        self.trigger_starts = [c.start for c in self.cues if c.kind not in (PSEUDO, TERMINATE)]
        # The sentences (their index in ``sentence_ends``) with a trigger: ``status`` of a
        # finding in any other (most findings) is affirmed, known from one bisection. A cue
        # on a sentence-ending character would be in no sentence. Made from the final
        # trigger starts: a cue added after this point would be missed by ``status``.
        self.trigger_sentences: set[int] = set()
        for start in self.trigger_starts:
            i = bisect.bisect_left(sentence_ends, start)
            if i == len(sentence_ends) or sentence_ends[i] != start:
                self.trigger_sentences.add(i)
        marks = []
        self.insertions = [(m.start(), m.end()) for m in _INSERTION_RE.finditer(lowered)]
        asides = {p for a, b in self.insertions for p in (a, b - 1)}
        prot_starts = [a for a, _ in protected]
        # Lead lists are mostly one lead: without a comma in any, no comma is looked up in them.
        commas_protected = any(lowered.find(",", a, b) >= 0 for a, b in protected)
        last = len(lowered) - 1
        for pos in char_positions(lowered, ","):
            if pos in asides:
                continue
            if commas_protected:
                k = bisect.bisect_right(prot_starts, pos) - 1
                if k >= 0 and protected[k][0] <= pos < protected[k][1]:
                    continue
            # Thousands separators and decimal commas are no clause marks.
            if 0 < pos < last and lowered[pos - 1].isdigit() and lowered[pos + 1].isdigit():
                continue
            marks.append((pos, ","))
        # a question mark marks a clause before a space or at the end only
        others = [(pos, lowered[pos]) for pos in char_positions(lowered, "()[]?")
                  if pos == last or lowered[pos] != "?" or lowered[pos + 1].isspace()]
        if others:
            marks = sorted(marks + others) if marks else others
        self.marks = marks
        self.dashes = _dashes(lowered)
        self.mark_starts = [p for p, _ in marks]
        self.anchors: list[int] = []
        self.sections = self._unassessed_sections() if any(c.kind == NOT_ASSESSABLE for c in self.cues) else []
        self.reference_sections = self._reference_sections() if "\n" in lowered and (
            "normal" in lowered or "reference" in lowered) else []
        self.criteria_sections = self._criteria_sections() if not literals.isdisjoint(_CRITERIA_GATE) and "\n" in lowered else []
        if ":\n" in lowered or ":**\n" in lowered or ":* \n" in lowered:
            self.criteria_sections += self._hypothetical_list_sections()
        # Whether ``status`` is affirmed for every finding in a sentence without a trigger
        # (no section overrides it): then a caller may make that first look itself, from
        # ``trigger_sentences``, without the call.
        self.untriggered_affirmed = not (self.sections or self.reference_sections or self.criteria_sections)

    def _usual_value(self, cue: Cue) -> Cue:
        """"(within normal limits, typically under 120 ms)", "(typically 120-200 ms)": a usual
        value right after "typically" is a normal limit (reference), not a generic statement
        about the sentence's findings."""
        if not (cue.phrase in _USUALLY and cue.kind == HYPOTHETICAL and _USUAL_VALUE_RE.match(self.lowered, cue.end)):
            return cue
        # a gloss in parentheses after this ECG's value, or a normal value named as such
        # ("the atrial rate in flutter is typically 300 per minute" stays a generic statement)
        start = self._sentence(cue.start)[0]
        before = self.lowered[start:cue.start]
        if before.rfind("(") > before.rfind(")") or "normal" in before[-40:]:
            return cue._replace(kind=REFERENCE, direction=FORWARD)
        return cue

    def _examples_of_findings(self, cue: Cue) -> bool:
        """"ST-T changes, such as ST depression and T-wave inversion": the examples are the
        changes the text states (or denies: "no QRS abnormalities such as a bundle branch
        block"), not a generic list ("conditions such as pericarditis")."""
        return cue.phrase in _EXAMPLE_CUES and _FINDINGS_BEFORE_RE.search(
            self.lowered, max(0, cue.start - 70), cue.start) is not None

    def _add_premises(self) -> None:
        """A sentence that opens with a generic premise ("In RBBB, T-wave inversion in V1-V3
        is expected") is hypothetical as a whole (a sentence-wide cue)."""
        premises = []
        for m in _PREMISE_RE.finditer(self.lowered):
            if _LEAD_WORD_RE.search(m.group("np")):
                continue  # "In II, III and aVF, ..." is a lead heading
            start, end = self._sentence(m.start())
            if not _PREMISE_START_RE.fullmatch(self.lowered, start, m.start()) and (
                    not _PREMISE_OR_LIKE_START_RE.fullmatch(self.lowered, start, m.start())
                    or self._about_this_case(start, end)):
                continue  # ("As in RBBB, the QRS here is wide": a comparison of this case's)
            premises.append(Cue(m.start(), m.end("np"), HYPOTHETICAL, SENTENCE, "in ..."))
        self._add_cues(premises)

    def _add_condition_premises(self) -> None:
        """A condition named without a comma before this sentence's subject ("In acute
        pericarditis the ST elevation is diffuse", "During an acute STEMI the T waves ...") is
        a generic premise too, unless the sentence names this case or measures a value ("In
        atrial fibrillation the ventricular rate is 112 bpm")."""
        starts = {c.start for c in self.cues if c.phrase == "in ..."}
        self._add_opening_cues(_CONDITION_PREMISE_RE, "in ...", lambda m, start, end: (
            m.start() in starts or _LEAD_WORD_RE.search(m.group("np")) is not None or self._about_this_case(start, end)))

    def _add_opening_cues(self, pattern: re.Pattern[str], phrase: str,
                          tied: Callable[[re.Match[str], int, int], bool],
                          opening: re.Pattern[str] = _PREMISE_START_RE, direction: str = SENTENCE) -> None:
        """A hypothetical cue (sentence-wide unless ``direction`` says otherwise) for each
        match of ``pattern`` that opens its sentence (after what ``opening`` allows before
        it) and that ``tied(match, sentence start, sentence end)`` does not tie to this case."""
        found = []
        for m in pattern.finditer(self.lowered):
            start, end = self._sentence(m.start())
            if opening.fullmatch(self.lowered, start, m.start()) and not tied(m, start, end):
                found.append(Cue(m.start(), m.end(), HYPOTHETICAL, direction, phrase))
        self._add_cues(found)

    def _add_usually_normal(self) -> None:
        """A finding named in general and said to be usually normal ("A single inverted T wave
        in lead III is usually normal", "T-wave inversion in V1 is often a normal finding")
        is a rule: hypothetical as a whole. A subject with a determiner of this case ("The
        T-wave inversion in III is usually normal"), this case named or a measured value
        keep it this ECG's."""
        found = []
        lowered = self.lowered
        for m in _USUALLY_NORMAL_RE.finditer(lowered):
            start, end = self._sentence(m.start())
            opening = _PREMISE_START_RE.match(lowered, start, m.start())
            if (opening is None or _GENERIC_MODAL_SUBJECT_RE.fullmatch(lowered, opening.end(), m.start() + 1) is None
                    or self._about_this_case(start, end)):
                continue
            found.append(Cue(opening.end(), m.end(), HYPOTHETICAL, SENTENCE, "... is usually normal"))
        self._add_cues(found)

    def _add_earlier_times(self) -> None:
        """A time long past opening a sentence ("Two years ago the QRS was 100 ms; today it is
        146 ms", "Last year your heart rate was 110 bpm", "In 2021, ...") dates what follows
        to an earlier ECG, up to "today", "now" (as "the previous ECG showed" does)."""
        self._add_opening_cues(_EARLIER_TIME_RE, "time ago", lambda m, start, end: False, direction=FORWARD)

    def _add_labelled_modals(self) -> None:
        """A list item whose label is a finding and whose text after a dash is a modal ("1.
        **Left ventricular hypertrophy** – would show tall R waves in V5–V6", "- Bundle branch
        block - would widen the QRS"): the label is the modal's subject, hypothetical as the
        modal makes it (the dash had ended its scope)."""
        found, lowered = [], self.lowered
        for cue in self.cues:
            if cue.direction != BOTH or cue.kind != HYPOTHETICAL:
                continue  # ("Sinus rhythm - may be slightly irregular": the hedge is of what follows)
            line_start = lowered.rfind("\n", 0, cue.start) + 1
            label = _DASHED_LABEL_RE.fullmatch(lowered, line_start, cue.start)
            if label is not None:
                found.append(Cue(label.start("label"), label.start("label"), cue.kind, FORWARD, cue.phrase))
        self._add_cues(found)

    def _extend_earlier_scopes(self) -> None:
        """What an earlier ECG showed goes on past "and there was", "and the", "with a" in its
        sentence ("Last year the rate was 60 and there was ST depression"), up to a word of
        the present ("today", "now", "this one") or a contrast (``_rejoined``)."""
        found = []
        for cue in self.cues:
            if cue.phrase in _EARLIER_PHRASES and cue.kind == HYPOTHETICAL and cue.direction == FORWARD:
                found.extend(self._rejoined(cue, "time ago"))
        self._add_cues(found)

    def _rejoined(self, cue: Cue, phrase: str) -> list[Cue]:
        """A forward cue's scope opened again after each join in its sentence that adds a
        finding ("and there was", "and the", "with a"): a cue of no length where the join
        ends, up to a contrast or a clause with a word of the present or this case ("... and
        the current one shows atrial fibrillation")."""
        found = []
        end = self._sentence(cue.start)[1]
        terminators = [c for c in self.cues if cue.end <= c.start < end and c.kind == TERMINATE]
        for k, later in enumerate(terminators):
            if later.phrase in _PRESENT_TERMINATORS or later.phrase in _STRONG_TERMINATORS:
                break
            clause_end = terminators[k + 1].start if k + 1 < len(terminators) else end
            if _PRESENT_WORD_RE.search(self.lowered, later.start, clause_end):
                break
            if later.phrase in _LIST_JOINS:
                found.append(Cue(later.end, later.end, cue.kind, FORWARD, phrase))
        return found

    def _add_generic_subjects(self) -> None:
        """A sentence whose subject is a condition named without a determiner pointing at
        this case, with a verb in the present ("Wellens syndrome shows deep T-wave inversion
        in V2 and V3", "Hyperkalaemia gives peaked T waves", "Normal sinus rhythm has a rate
        between 60 and 100/min", "First-degree AV block is defined as a PR over 200 ms"),
        states what the condition looks like: hypothetical as a whole. Unless the rest of the
        sentence ties it to the case ("here", "this", "your") or measures a value ("has a rate
        of 72 bpm": a number that is neither a bound nor a range's end). A verb whose word
        (``GENERIC_VERB_NEEDLES``) or literal the text lacks is not looked for."""
        subjects = []
        # The verbs as one alternation of them finds them: the earliest first, the first verb
        # of the table where two start together, none inside one found before.
        found = sorted((m.start(), k, m) for k, (needle, pattern) in enumerate(_GENERIC_VERB_PATTERNS)
                       if _GENERIC_VERBS[k][0] in self.literals and not self.literals.isdisjoint(needle)
                       for m in pattern.finditer(self.lowered))
        last_end = -1
        for start, k, verb in found:
            if start < last_end:
                continue
            last_end = verb.end()
            opening = _PREMISE_START_RE.match(self.lowered, self._sentence(verb.start())[0], verb.start())
            if opening is None or (_GENERIC_SUBJECT_RE.fullmatch(self.lowered, opening.end(), verb.start()) is None and not (
                    _GENERIC_VERBS[k][0] in _DEFINING_NEEDLES
                    and _NAMED_KIND_RE.fullmatch(self.lowered, opening.end(), verb.start()) is not None) and not (
                    # what any agent does to an interval: "Amiodarone prolongs the QT"
                    _GENERIC_VERBS[k][0] in _EFFECT_NEEDLES and opening.end() < verb.start() - 2
                    and _BARE_SUBJECT_RE.fullmatch(self.lowered, opening.end(), verb.start()) is not None)):
                continue
            end = self._sentence(verb.start())[1]
            if self._about_this_case(verb.end(), end) or _THIS_CASE_WORD_RE.search(self.lowered, opening.end(), verb.start()):
                continue  # "Sinus rhythm has a rate of 72 bpm (here)", "Here the LBBB widens ...": this case's
            subjects.append(Cue(opening.end(), verb.end(), HYPOTHETICAL, SENTENCE, "condition shows ..."))
        self._add_cues(subjects)

    def _add_normal_ecg_subjects(self) -> None:
        """A sentence whose subject is a normal ECG in general ("A normal adult ECG has a heart
        rate of 60-100, a PR of 120-200 ms and a QRS under 120 ms") gives normal values: its
        ranges and limits are references, its findings general (hypothetical)."""
        found, lowered = [], self.lowered
        for m in _NORMAL_ECG_SUBJECT_RE.finditer(lowered):
            start, end = self._sentence(m.start())
            if _PREMISE_START_RE.fullmatch(lowered, start, m.start()) is None or _THIS_CASE_WORD_RE.search(
                    lowered, start, end):
                continue
            found += [Cue(m.start(), m.end(), kind, SENTENCE, "a normal ECG has") for kind in (REFERENCE, HYPOTHETICAL)]
        self._add_cues(found)

    def _add_condition_definitions(self) -> None:
        """A condition named without a determiner and said to be a kind of thing ("Atrial
        fibrillation is an irregular rhythm without P waves", "Sinus tachycardia is a fast
        rhythm from the sinus node") is defined: hypothetical as a whole, unless the sentence
        ties it to this case ("here", "your") or measures a value."""
        found, lowered = [], self.lowered
        for m in (m for verb in (" is a", " are a") for m in _IS_A_RES[verb].finditer(lowered)):
            start, end = self._sentence(m.start())
            opening = _PREMISE_START_RE.match(lowered, start, m.start() + 1)
            if (opening is None or _GENERIC_SUBJECT_RE.fullmatch(lowered, opening.end(), m.start() + 1) is None
                    or self._about_this_case(start, end)):
                continue
            found.append(Cue(opening.end(), m.end(), HYPOTHETICAL, SENTENCE, "condition is a ..."))
        self._add_cues(found)

    def _add_consequents(self) -> None:
        """A sentence that opens with a condition ("If both are positive, the axis is normal",
        "When the axis is beyond -30°, left axis deviation is present") states its consequence
        in general too: hypothetical as a whole (the condition's own cue ends at the comma).
        Not a sentence tied to this case or that measures a value ("If the PR were 260 ms on
        this strip, ..."). ("If you look at V1, ...", "When compared with ..." are a look at
        the tracing, no condition: their cue is dropped.)"""
        found = []
        lowered = self.lowered
        for cue in self.cues:
            if cue.phrase not in _CONDITIONS or cue.kind != HYPOTHETICAL:
                continue
            start, end = self._sentence(cue.start)
            if not _PREMISE_START_RE.fullmatch(lowered, start, cue.start):
                continue
            comma = lowered.find(",", cue.end, end)
            if comma < 0 or _CASE_NAMED_RE.search(lowered, start, end) or self._plain_number(start, end):
                continue
            found.append(Cue(comma, comma + 1, HYPOTHETICAL, SENTENCE, "if ..., ..."))
        self._add_cues(found)

    def _add_defined_labels(self) -> None:
        """A label line that names a finding and gives a bound ("Left axis deviation: < -30°",
        "Sinus tachycardia: over 100 bpm") defines the finding: hypothetical as a whole. A
        label with a measured value ("Left axis deviation: -45°") is this case's."""
        found = []
        lowered = self.lowered
        # At each colon (a match holds no other), the label before it first: most name no
        # finding, and the bound's pattern costs more.
        for colon in char_positions(lowered, ":"):
            line_start = lowered.rfind("\n", 0, colon) + 1
            # (the finding's word first: most labels have none; the markup before the label
            # holds no letter, so it is looked for from the line start)
            if not _FINDING_LABEL_RE.search(lowered, line_start, colon):
                continue
            label = lowered[line_start:colon]
            start = line_start + len(label) - len(label.lstrip(_ITEM_MARKUP))
            if not _LABEL_RE.fullmatch(lowered, start, colon):
                continue
            m = _BOUND_AFTER_LABEL_RE.match(lowered, colon)
            if m is None:
                continue
            if m.group("named") or m.group("range"):
                # a quantity named before its bound, or ranges: only if every number of the
                # line is a bound or a range's end ("Sinus rhythm: rate 72 bpm" is this
                # case's), and ranges are two at least (a list of criteria)
                line_end = lowered.find("\n", m.end())
                line_end = len(lowered) if line_end < 0 else line_end
                if self._plain_number(m.start(), line_end) or (m.group("range") and len(
                        _LABEL_RANGE_RE.findall(lowered, m.start(), line_end)) < 2):
                    continue
            found.append(Cue(start, m.start(), HYPOTHETICAL, SENTENCE, "finding: bound"))
        self._add_cues(found)

    def _reference_sections(self) -> list[tuple[int, int]]:
        """The lists under a heading line of normal values ("Normal values", "## Normal
        ranges (adults)"): from the end of that line to the next heading or blank line."""
        lowered, out = self.lowered, []
        for m in sorted((m for pattern in _REFERENCE_HEADING_RES for m in pattern.finditer(lowered)),
                        key=lambda m: m.start()):
            line_start = lowered.rfind("\n", 0, m.start()) + 1
            line_end = lowered.find("\n", m.end())
            if (line_end < 0 or not _REFERENCE_PREFIX_RE.fullmatch(lowered[line_start:m.start()].strip(_ITEM_MARKUP))
                    or lowered[m.end():line_end].strip(" \t*_:")):
                continue
            out.append((line_end, self._section_end(line_end)))
        return out

    def _criteria_sections(self) -> list[tuple[int, int]]:
        """The lists under a heading line of criteria ("Diagnostic criteria:", "ECG criteria
        for LBBB"): what a finding needs in general, up to the next heading or blank line. A
        line that says they are met ("Criteria for LVH: met") heads no such list."""
        lowered, out = self.lowered, []
        for m in _CRITERIA_HEADING_RE.finditer(lowered):
            line_start = lowered.rfind("\n", 0, m.start()) + 1
            line_end = lowered.find("\n", m.end())
            if line_end < 0:
                continue
            line = lowered[line_start:line_end].strip(_ITEM_MARKUP)
            heading = (_HEADING_WORDS_RE.fullmatch(lowered[line_start:m.start()].strip(_ITEM_MARKUP))
                       and not lowered[m.end():line_end].strip(" \t*_:"))
            # or a line that introduces them: "There are two criteria with these indices:"
            introduces = line.rstrip("*_ ").endswith(":") and len(line.split()) <= 12
            if not (heading or introduces) or _CRITERIA_MET_RE.search(line):
                continue
            body = len(lowered) - len(lowered[line_end:].lstrip("\n \t")) - 1  # the newline before the first item
            out.append((line_end, self._section_end(max(line_end, body))))
        return out

    def _hypothetical_list_sections(self) -> list[tuple[int, int]]:
        """The bullet lists under a label line whose own words are a condition, a risk or an
        expectation ("Things I'd look for on a repeat ECG:", "**When to worry:**", "Red flags:")
        and that names no part of this case: what would matter, not what this ECG shows, up to
        the next heading or blank line (as ``_add_hypothetical_lists`` reads such a list on
        one line). "If ...:" introduces this case's details ("If you want the details:")."""
        lowered = self.lowered
        out: list[tuple[int, int]] = []
        for cue in self.cues:
            if cue.kind != HYPOTHETICAL or cue.phrase in ("if", "...: list"):
                continue
            line_start = lowered.rfind("\n", 0, cue.start) + 1
            line_end = lowered.find("\n", cue.end)
            if line_end < 0 or (out and out[-1][0] == line_end):
                continue
            line = lowered[line_start:line_end].strip(_ITEM_MARKUP)
            if (not line.endswith(":") or len(line.split()) > 12 or _THIS_CASE_WORD_RE.search(line)
                    or _CRITERIA_MET_RE.search(line)):
                continue  # ("Criteria met:" lists this case's findings)
            if not _BULLET_RE.match(lowered, line_end):
                continue  # a list of items follows the label
            out.append((line_end, self._list_end(line_end)))
        return out

    def _list_end(self, start: int) -> int:
        """Where the list whose first item's line starts after the newline at ``start`` ends:
        at the first line that is no item nor an indented continuation of one ("Red flags:\n-
        a rate below 40\nYour rate is 72." ends before "Your"), or at the section's end."""
        lowered, end = self.lowered, self._section_end(start + 1)
        pos = start
        while pos < end:
            if not (_BULLET_RE.match(lowered, pos) or lowered.startswith(("\n ", "\n\t"), pos)):
                return pos
            nxt = lowered.find("\n", pos + 1)
            pos = end if nxt < 0 else nxt
        return end

    def _section_end(self, start: int) -> int:
        """Where the markdown section holding ``start`` ends (``_SECTION_END_RE``)."""
        m = _SECTION_END_RE.search(self.lowered, start)
        return len(self.lowered) if m is None else m.start()

    def _add_quoted_terms(self) -> None:
        """A term in quotes that is explained ('"bradycardia" indicates a rate below 60',
        '"sinus" means ...') is defined in general: hypothetical, unless the explanation
        speaks of this case ('"borderline" means your QTc is ...')."""
        found = []
        for m in _QUOTED_TERM_RE.finditer(self.lowered):
            end = self._sentence(m.start())[1]
            if _THIS_CASE_WORD_RE.search(self.lowered, m.end(), end):
                continue  # (not "which", "it": '"LAD" means the axis points left, which is often harmless')
            found.append(Cue(m.start(), m.end(), HYPOTHETICAL, SENTENCE, "'term' means"))
        self._add_cues(found)

    def _keep_this_cases_diagnosis(self) -> None:
        """"The RBBB is diagnosed by the following criteria: wide QRS, ...": a definite
        subject makes it this case's diagnosis and its evidence, no textbook rule (as "LBBB is
        diagnosed when ..." is)."""
        drop: set[Cue] = set()
        for cue in self.cues:
            if cue.phrase not in _IS_DIAGNOSED:
                continue
            s_start, s_end = self._sentence(cue.start)
            subject = self.lowered[s_start:cue.start].lstrip(_ITEM_MARKUP)
            if _DEFINITE_SUBJECT_RE.match(subject):
                drop.update(c for c in self.cues if s_start <= c.start < s_end
                            and (c is cue or c.phrase in _THRESHOLD_FOR))
        if drop:
            self.cues = [c for c in self.cues if c not in drop]

    def _add_where_findings_occur(self) -> None:
        """A sentence that says where a finding occurs in general ("Peaked T waves are seen in
        hyperkalaemia", "ST depression occurs in subendocardial ischaemia", "First-degree AV
        block may be seen in athletes", "A prolonged QT predisposes to torsades") states a
        rule: hypothetical as a whole. Unless what follows "in" is a lead or this case ("is
        seen in V5", "in this tracing"), or the sentence ties itself to the case or measures
        a value."""
        found = []
        for m in _OCCURS_IN_RE.finditer(self.lowered):
            start, end = self._sentence(m.start())
            if self._about_this_case(start, end):
                continue
            found.append(Cue(start, m.end(), HYPOTHETICAL, SENTENCE, "seen in ..."))
        self._add_cues(found)

    def _add_group_premises(self) -> None:
        """A group of people as the premise opening a sentence ("For an athlete, a resting
        rate in the 40s is common", "For women, values above 460 ms are prolonged") makes it a
        general statement, unless the sentence names this case or measures a value."""
        self._add_opening_cues(_GROUP_PREMISE_RE, "for ..., ...", lambda m, start, end: self._about_this_case(m.end(), end))

    def _add_defined_kinds(self) -> None:
        """A sentence that opens with a kind of finding and gives its bound ("Pathological Q
        waves are at least 40 ms wide", "Significant ST depression is more than 1 mm below the
        baseline") defines the kind: hypothetical as a whole, unless it names this case or leads."""
        self._add_opening_cues(_DEFINED_KIND_RE, "kind is beyond a bound", lambda m, start, end: (
            _CASE_NAMED_RE.search(self.lowered, start, end) is not None
            or _LEAD_WORD_RE.search(self.lowered, start, end) is not None))

    def _add_groups_of_people(self) -> None:
        """A sentence whose subject is a group of people with a condition or a finding
        ("Patients with WPW have a short PR", "People with athlete's heart often have sinus
        bradycardia", "Anyone with a QTc above 500 ms ...") says what they have in general:
        hypothetical as a whole, unless it names this case or measures a value."""
        self._add_opening_cues(_GROUP_WITH_RE, "people with ...", lambda m, start, end: self._about_this_case(start, end))

    def _add_listed_features(self) -> None:
        """A sentence that opens with the signs, features or causes of a condition and lists
        them ("Signs of LVH include a Sokolow-Lyon index above 35 mm and strain", "ECG
        features of hypokalaemia include flat T waves"), or whose subject before "include"
        holds a hypothetical cue, states them in general: hypothetical as a whole, unless it
        names this case ("Findings of this ECG include ...")."""
        self._add_opening_cues(_FEATURES_INCLUDE_RE, "features of ... include",
                               lambda m, start, end: self._about_this_case(start, end), _FEATURES_OPENING_RE)
        # "Things a doctor would look for include ST elevation, deep Q waves and T-wave
        # inversion": a list whose subject holds a hypothetical cue is hypothetical throughout
        found = []
        for m in _INCLUDE_RE.finditer(self.lowered):
            start, end = self._sentence(m.start())
            if self._about_this_case(start, end) or not any(
                    c.kind == HYPOTHETICAL and start <= c.start < m.start() for c in self.cues):
                continue
            found.append(Cue(m.start(), m.end(), HYPOTHETICAL, SENTENCE, "... include"))
        self._add_cues(found)

    def _add_generic_meanings(self, needles: set[str]) -> None:
        """A sentence whose subject is a finding named in general, with no determiner, lead,
        territory or value, and whose verb says what it means ("Deep Q waves indicate prior
        infarction", "Peaked T waves suggest hyperkalaemia", "Delta waves are a sign of
        pre-excitation"), states a rule: hypothetical as a whole. A lead or territory ("Q
        waves in II, III and aVF indicate ..."), "the", a value or a word of this case keep it
        this ECG's."""
        found, lowered = [], self.lowered
        for needle, pattern, noun in _MEANING_PATTERNS:
            if needle not in needles:
                continue
            for verb in pattern.finditer(lowered):
                subject_end = verb.start()
                if noun:  # "... are a sign of": the subject ends before "are"
                    copula = _COPULA_BEFORE_RE.search(lowered, max(0, subject_end - 40), subject_end)
                    if copula is None:
                        continue
                    subject_end = copula.start() + 1
                elif not lowered[subject_end - 1:subject_end].isspace():
                    continue
                start, end = self._sentence(verb.start())
                opening = _PREMISE_START_RE.match(lowered, start, subject_end)
                if opening is None:
                    continue
                subject = lowered[opening.end():subject_end]
                if (not subject.strip() or len(subject) > 60 or _GENERIC_MODAL_SUBJECT_RE.fullmatch(subject) is None
                        or _VERB_RE.search(subject) or _SPECIFIC_SUBJECT_RE.search(subject)
                        or _LEAD_WORD_RE.search(subject) or _THIS_SUBJECT_RE.search(subject)
                        or self._about_this_case(start, end)):
                    continue
                found.append(Cue(opening.end(), verb.end(), HYPOTHETICAL, SENTENCE, "finding means ..."))
        self._add_cues(found)

    def _add_generic_modals(self) -> None:
        """A sentence whose subject is a finding named without a determiner, with "can" ("ST
        elevation can indicate pericarditis", "Axis deviation can be caused by many
        conditions", "A heart rate of 50-60 can be normal"), says what the finding may mean in
        general: hypothetical as a whole. "The ST elevation can ...", "Your rate can ...",
        "It can ..." speak of this case's."""
        found, lowered = [], self.lowered
        for modal in _GENERIC_MODAL_RE.finditer(lowered):
            seen = _SEEN_RE.match(lowered, modal.end())
            if seen is not None and _LEADS_AHEAD_RE.match(lowered, seen.end()):
                continue  # "ST depression can be seen in V5 and V6": where it is on this tracing
            sentence_start = self._sentence(modal.start())[0]
            opening = _PREMISE_START_RE.match(lowered, sentence_start, modal.start())
            if opening is not None and _generic_modal_subject(lowered[opening.end():modal.start()]):
                found.append(Cue(opening.end(), modal.end(), HYPOTHETICAL, SENTENCE, "... can ..."))
                continue
            # the subject of a later clause: "..., since low potassium can cause U waves and a long QT"
            mark = max(lowered.rfind(",", sentence_start, modal.start()), lowered.rfind(";", sentence_start, modal.start()))
            clause = _CLAUSE_OPENING_RE.match(lowered, mark) if mark >= 0 else None
            if clause is not None and _generic_modal_subject(lowered[clause.end():modal.start()]):
                cue = Cue(clause.end(), modal.end(), HYPOTHETICAL, FORWARD, "... can ...")
                found += [cue, *self._rejoined(cue, "... can ...")]
        self._add_cues(found)

    def _add_hypothetical_lists(self) -> None:
        """A list after a label whose own words are a condition or an expectation ("Things
        that would worry me: ST elevation, a new LBBB, or a QTc over 500 ms", "Warning signs
        would be: ...") is hypothetical as a whole: its commas part its items, not its clauses."""
        lowered, found = self.lowered, []
        for cue in self.cues:
            if cue.kind != HYPOTHETICAL or cue.direction not in (FORWARD, BOTH):
                continue
            start, end = self._sentence(cue.start)
            colon = lowered.find(":", cue.end, min(end, cue.end + 40))
            if colon < 0 or not _LIST_LABEL_RE.fullmatch(lowered, start, colon) or _THIS_CASE_WORD_RE.search(
                    lowered, colon, end):
                continue
            found.append(Cue(colon, colon + 1, HYPOTHETICAL, SENTENCE, "...: list"))
        self._add_cues(found)

    def _add_cues(self, added: list[Cue]) -> None:
        """``added`` (cues a rule over the whole text found) among the cues, in text order."""
        if added:
            self.cues = sorted(self.cues + added, key=lambda c: c.start)

    def _about_this_case(self, start: int, end: int) -> bool:
        """Whether [start, end) ties a sentence to the case at hand: words that name it
        ("here", "this", "your") or a measured value (``_plain_number``)."""
        return _THIS_CASE_WORD_RE.search(self.lowered, start, end) is not None or self._plain_number(start, end)

    def _plain_number(self, start: int, end: int) -> bool:
        """Whether [start, end) holds a number that is neither a bound nor a range's end: a
        value measured on a case ("has a rate of 72 bpm"), not a rule ("a rate between 60
        and 100", "a QRS of 120 ms or more")."""
        lowered = self.lowered
        for m in _NUMBER_RE.finditer(lowered, start, end):
            if not (_BOUND_BEFORE_RE.search(lowered, max(start, m.start() - 24), m.start())
                    or _BOUND_AFTER_RE.match(lowered, m.end())):
                return True
        return False

    def _names_this_finding(self, cue: Cue) -> bool:
        """"That is called sinus tachycardia" names this ECG's finding; it defines nothing. So
        does a subject of this case before "refers to" ('That "borderline" on your printout
        refers to the QRS'); a bare term defines one ('"Sinus" refers to the normal rhythm')."""
        if cue.phrase not in _NAMING:
            return False
        if cue.phrase in _REFERS_TO:
            return _THIS_SUBJECT_RE.search(self.lowered, self._sentence(cue.start)[0], cue.start) is not None
        if cue.phrase in _IS_WHEN:  # "The worst ST depression is when the rate is fastest": a time of this case's
            start = self._sentence(cue.start)[0]
            opening = _PREMISE_START_RE.match(self.lowered, start, cue.start)
            return _DETERMINER_RE.match(self.lowered, opening.end() if opening else start) is not None
        return _DEMONSTRATIVE_BEFORE_RE.search(self.lowered, max(0, cue.start - 8), cue.start) is not None

    def _compared_limit(self, cue: Cue) -> bool:
        """A limit this ECG's value is compared with ("below the conventional lower limit of 60
        bpm", "a little under the usual 60", "slightly longer than the usual cutoff of 460"):
        the number is a bound about this ECG, no reference."""
        return (cue.kind == REFERENCE and cue.phrase in _LIMIT_WORDS
                and _COMPARED_BEFORE_RE.search(self.lowered, max(0, cue.start - 70), cue.start) is not None)

    def _unassessed_sections(self) -> list[tuple[int, int]]:
        """The lists under a heading or label line that says what cannot be assessed ("### What
        I can't assess" / "**Not assessable:**" and the bullets below it): from the end of that
        line to the next heading or blank line."""
        lowered, out = self.lowered, []
        for cue in self.cues:
            if cue.kind != NOT_ASSESSABLE:
                continue
            line_start = lowered.rfind("\n", 0, cue.start) + 1
            line_end = lowered.find("\n", cue.end)
            if line_end < 0:
                continue
            line = lowered[line_start:line_end].strip()
            if not (line.startswith("#") or line.endswith((":", ":**", "**:")) or (
                    line.startswith("**") and line.endswith("**"))):
                continue
            out.append((line_end, self._section_end(line_end)))
        return out

    def _compared_threshold(self, cue: Cue) -> Cue | None:
        """A threshold for a finding that this ECG's value is compared with gives the finding
        the comparison's status: "just under the 120 ms cut-off for a bundle branch block"
        denies it, "exceeds the 35 mm criterion for left ventricular hypertrophy" affirms it."""
        if cue.phrase not in _THRESHOLD_FOR or cue.kind != HYPOTHETICAL:
            return cue
        start = max(0, cue.start - 60)
        if _BELOW_THE_RE.search(self.lowered, start, cue.start):
            return cue._replace(kind=NEGATED)
        return None if _ABOVE_THE_RE.search(self.lowered, start, cue.start) else cue

    def _add_generic_bounds(self) -> None:
        """A sentence whose subject is any value beyond a bound ("A QRS over 120 ms is called
        wide", "A QTc below 350 ms is short", "Values above 500 ms carry ...") states a rule,
        not this ECG: hypothetical as a whole (a sentence-wide cue)."""
        lowered, found = self.lowered, []
        size = len(lowered)
        definitions = not self.literals.isdisjoint(_DEFINED_AS_VERBS)
        for start in (0, *(end + 1 for end in self.sentence_ends)):
            at = start + 1 if lowered.startswith(" ", start) else start  # after ". " (the usual)
            if at < size and lowered[at] in _BLANKS_AND_BULLETS:
                while at < size and lowered[at] in _BLANKS_AND_BULLETS:
                    at += 1
            if lowered.startswith(_LEAD_INS, at):  # "Note that a PR below 120 ms suggests ..."
                at += next(len(lead) for lead in _LEAD_INS if lowered.startswith(lead, at))
            elif lowered.startswith("for ", at) and (group := _GROUP_PREMISE_RE.match(lowered, at)) is not None:
                at = group.end() + 1  # "For men, a QTc under 450 ms is considered normal"
            if not lowered.startswith(_GENERIC_STARTS, at):
                bound = _BOUND_OPENING_RE.match(lowered, at) if lowered.startswith(_BOUND_WORDS, at) else None
                if bound is not None:  # "Below 60 is bradycardia and above 100 is tachycardia"
                    end = self._sentence(at)[1]
                    if not _THIS_CASE_RE.search(lowered, at, end):
                        kind = REFERENCE if _IS_NORMAL_RE.match(lowered, bound.end("bound"), end) else HYPOTHETICAL
                        found.append(Cue(at, bound.end("bound"), kind, SENTENCE, "a ... beyond a bound"))
                    continue
                # a definition: "Bradycardia is a heart rate below 60 bpm"
                defined = _DEFINED_AS_RE.match(lowered, at, self._sentence(at)[1]) if definitions else None
                if defined is None:
                    continue
                at = defined.end()
            end = self._sentence(at)[1]
            m = _GENERIC_BOUND_RE.match(lowered, at, end)
            contrast = _CONTRAST_RE.search(lowered, at, end)  # "..., but the PR here is 168 ms": a clause of its own
            if m is None or _THIS_CASE_RE.search(lowered, at, contrast.start() if contrast else end):
                continue
            kind = REFERENCE if _IS_NORMAL_RE.match(lowered, m.end(), end) else HYPOTHETICAL
            found.append(Cue(at, m.end("np"), kind, SENTENCE, "a ... beyond a bound"))
        self._add_cues(found)

    def set_anchors(self, anchors: list[int]) -> None:
        """Where the findings of the text are (sorted), for the comma and list rules."""
        self.anchors = anchors

    def keep_keywords_whole(self, spans: list[tuple[int, int]]) -> None:
        """Terminators inside a keyword's own words end no scope: "the sum of the S wave in V1
        and the tallest R wave in V5" is one keyword, not a clause ending at "and the"."""
        inside = [c for c in self.cues if c.kind == TERMINATE and any(a <= c.start and c.end <= b for a, b in spans)]
        if inside:
            self.cues = [c for c in self.cues if c not in inside]
            self.cue_starts = [c.start for c in self.cues]

    # -- helpers --------------------------------------------------------------------------
    def _sentence(self, pos: int) -> tuple[int, int]:
        i = bisect.bisect_left(self.sentence_ends, pos)
        start = self.sentence_ends[i - 1] + 1 if i else 0
        end = self.sentence_ends[i] if i < len(self.sentence_ends) else len(self.lowered)
        return start, end

    def _marks_between(self, a: int, b: int) -> list[tuple[int, str]]:
        i = bisect.bisect_left(self.mark_starts, a)
        j = bisect.bisect_left(self.mark_starts, b)
        return self.marks[i:j]

    def _findings_between(self, a: int, b: int) -> bool:
        i = bisect.bisect_left(self.anchors, a)
        return i < len(self.anchors) and self.anchors[i] < b

    def _inside_parens(self, pos: int, sentence_start: int) -> int | None:
        """The position of the ")" closing the parenthesis ``pos`` sits in, if any."""
        depth = 0
        for _, mark in reversed(self._marks_between(sentence_start, pos)):
            if mark == ")":
                depth += 1
            elif mark == "(":
                if depth == 0:
                    close = self.lowered.find(")", pos)
                    return close if close >= 0 else None
                depth -= 1
        return None

    def _forward_reaches(self, cue: Cue, anchor: int, sentence_end: int, plain_number: bool) -> bool:
        if cue.kind == NEGATED and _STANDS_ALONE_RE.match(self.lowered, cue.end):
            return False  # "Delta waves absent, T waves upright": a negation before a comma denies nothing after it
        if cue.kind == NEGATED and cue.phrase in _PREDICATE_DENIALS:
            # "QRS not wide, T waves upright", "the QRS is not wide and T waves are upright": the
            # denied word ends the denial before the next finding's clause
            one = _ONE_WORD_THEN_BREAK_RE.match(self.lowered, cue.end)
            if one is not None and anchor >= one.end():
                return False
        if cue.kind == NEGATED:
            colon = self.lowered.find(":", cue.end, anchor)
            if colon >= 0 and self.lowered[cue.end:colon].strip(" *_") and not _LIST_INTRO_RE.search(
                    self.lowered, cue.end, colon):
                # "No signs of a heart attack: ST segments look flat": the colon opens the evidence
                # (but "none of the following is present: AV block, ..." lists what is denied)
                return False
        close = self._inside_parens(cue.start, self._sentence(cue.start)[0])
        if close is not None and anchor > close:
            return False
        if cue.kind in (UNCERTAIN, HYPOTHETICAL) and self._labels_a_list(cue, anchor):
            return True  # ("Old one (from 2023): heart rate 115, sinus tachycardia": the earlier ECG's list)
        if cue.phrase in _DIFFERENTIAL:
            # "Differential diagnosis for this wide-complex tachycardia at 180 bpm: VT, SVT with
            # aberrancy, ...": the finding it is drawn up for is given, the alternatives are hedged
            colon = self.lowered.find(":", cue.end, sentence_end)
            if colon >= 0:
                return anchor > colon
        reached = self._findings_between(cue.end, anchor)
        if cue.kind == NEGATED and plain_number and (reached or self.lowered.find("(", cue.end, anchor) >= 0
                                                     or _DENIED_WORD_AT_RE.fullmatch(self.lowered, cue.end, anchor)):
            # (and "the QTc is not prolonged (438 ms)", "the PR isn't prolonged at 180 ms": the
            # measured value)
            return False
        if cue.kind == NEGATED:
            # "the absence of distinct P waves and irregular RR intervals": the wave denied,
            # the finding after "and" stated (atrial fibrillation as models describe it)
            joined = _AND_RE.search(self.lowered, cue.end, anchor)
            if joined is not None and _UNCHECKED_WAVE_RE.search(self.lowered, cue.end, joined.start()):
                return False
        if cue.kind == NOT_ASSESSABLE and reached and _CIRCUMSTANCE_RE.search(
                self.lowered, self.anchors[bisect.bisect_left(self.anchors, cue.end)] + 1, anchor):
            return False  # "I can't measure the QT in AF at this rate": the AF and the rate are the circumstance
        if cue.kind in (NEGATED, UNCERTAIN):
            # a dash after the cue's own words starts a clause of its own ("I don't see
            # atrial fibrillation — your beats come at regular intervals")
            for pos in self.dashes:
                if cue.end <= pos < anchor and _WORD_RE.search(self.lowered, cue.end, pos):
                    return False
        for pos, mark in self._marks_between(cue.end, anchor):
            if mark == "?":
                return False
            if mark != ",":
                continue
            if cue.direction == BOTH:
                return False  # a modal or "cannot be assessed" covers its own clause only
            if self._findings_between(cue.end, pos):
                # A finding was reached before this comma: only a list closed by "or"/"nor"
                # (with no new clause) carries the scope over it.
                rest = self.lowered[pos:sentence_end]
                close_list = _LIST_CLOSE_RE.search(rest)
                if close_list is None or plain_number:
                    return False
                items = rest[:close_list.start()]
                if "(" in items:  # "the ST segments (which are what doctors check), or the QT"
                    items = _PARENTHESIS_RE.sub("", items)
                if _VERB_RE.search(items):
                    return False
            elif cue.kind in (UNCERTAIN, NEGATED) and ":" not in self.lowered[cue.end:pos]:
                own_words = _WORD_RE.search(self.lowered, cue.end, pos) is not None
                opens_item = self._opens_item(cue)
                if not own_words and not opens_item and self._closes_terse_item(cue):
                    return False  # "chronic infarction possible, ST elevation ...": it closed its item
                if not (own_words and opens_item):
                    continue
                # The cue opens a list item and has words of its own before this comma, a
                # finding outside the vocabulary ("possible inferior infarction, ST depression
                # in V5"; "infarction, likely old, ST & T abnormal"; "no P waves, irregular
                # rhythm"): the comma ends it, unless a list closed by "or"/"nor" with no cue of its own goes on ("no
                # horizontal, downsloping or upsloping ST depression"; "no evidence of injury,
                # ST elevation or Q waves").
                close_list = _LIST_CLOSE_RE.search(self.lowered, pos, sentence_end)
                if (close_list is None or plain_number
                        or _VERB_RE.search(self.lowered, pos, close_list.start())
                        or self._trigger_between(pos, close_list.start())):
                    return False
        return True

    def _item_start(self, cue: Cue) -> int:
        """Where the sentence or comma-separated item holding the cue starts."""
        s_start = self._sentence(cue.start)[0]
        marks = [p for p, mark in self._marks_between(s_start, cue.start) if mark == ","]
        return max([s_start, *(p + 1 for p in marks), self.lowered.rfind(";", s_start, cue.start) + 1])

    def _labels_a_list(self, cue: Cue, anchor: int) -> bool:
        """Whether the cue opens a label whose colon comes before ``anchor``: "Possible
        findings: sinus bradycardia, first-degree AV block, left axis deviation" and
        "Differential diagnosis: atrial flutter, atrial fibrillation" hedge every item."""
        colon = self.lowered.find(":", cue.end, anchor)
        return (colon >= 0 and len(_WORD_RE.findall(self.lowered, cue.end, colon)) <= 2
                and self._opens_item(cue))

    def _opens_item(self, cue: Cue) -> bool:
        """Whether the cue starts its sentence or a comma-separated item ("sinus rhythm,
        possible LAE, ..."), as in terse reports; a cue inside a clause ("the axis is
        probably normal, between 0 and +90") qualifies that clause's finding."""
        before = self.lowered[self._item_start(cue):cue.start]
        return not before.strip(_ITEM_MARKUP)

    def _closes_terse_item(self, cue: Cue) -> bool:
        """Whether the cue ends a verbless item of a terse report ("anterior infarction
        possible, ..."): no verb and no other cue in the item before it."""
        start = self._item_start(cue)
        return _VERB_RE.search(self.lowered, start, cue.start) is None and not self._trigger_between(start, cue.start)

    def _trigger_between(self, a: int, b: int) -> bool:
        i = bisect.bisect_left(self.trigger_starts, a)
        return i < len(self.trigger_starts) and self.trigger_starts[i] < b

    def _backward_reaches(self, cue: Cue, anchor_end: int, sentence_start: int) -> bool:
        for _, mark in self._marks_between(anchor_end, cue.start):
            if mark in ",?(":
                return False
        if any(anchor_end <= pos < cue.start for pos in self.dashes):
            return False  # "regular — sinus tachycardia vs flutter": the dash ends the clause
        if cue.kind == NEGATED and _CAUSE_OF_RE.search(self.lowered, sentence_start, anchor_end):
            return False  # "the cause of the bradycardia is not evident": the cause is denied
        # "no ST elevation that would meet STEMI criteria": the relative clause's verb is
        # not the finding's.
        return _RELATIVE_RE.search(self.lowered, anchor_end, cue.start) is None

    def _aside(self, pos: int) -> tuple[int, int] | None:
        for a, b in self.insertions:
            if a <= pos < b:
                return a, b
        return None

    # -- the status -----------------------------------------------------------------------
    def status(self, anchor: int, inner_end: int, *, numeric: bool, plain: bool) -> str:
        """The assertion of a finding whose words run from ``anchor`` to ``inner_end``;
        ``numeric`` for a number, ``plain`` for a plain number (neither range nor bound)."""
        status = self._status(anchor, inner_end, numeric=numeric, plain=plain)
        # (an override of an affirmed status here comes with ``untriggered_affirmed``)
        if (status in (AFFIRMED, NEGATED, UNCERTAIN) and self.criteria_sections
                and any(a <= anchor < b for a, b in self.criteria_sections)):
            return HYPOTHETICAL  # an item under a heading "Diagnostic criteria"
        if (status == AFFIRMED and numeric and not plain and self.reference_sections
                and any(a <= anchor < b for a, b in self.reference_sections)):
            return REFERENCE  # a range or limit under a heading "Normal values"
        return status

    def _status(self, anchor: int, inner_end: int, *, numeric: bool, plain: bool) -> str:
        if self.sections and any(a <= anchor < b for a, b in self.sections):
            return NOT_ASSESSABLE  # under a heading "What I can't assess"
        ends = self.sentence_ends
        i = bisect.bisect_left(ends, anchor)  # the sentence (as ``_sentence``)
        if i not in self.trigger_sentences:
            return AFFIRMED  # no trigger in the sentence
        s_start = ends[i - 1] + 1 if i else 0
        s_end = ends[i] if i < len(ends) else len(self.lowered)
        i = bisect.bisect_left(self.cue_starts, s_start)
        j = bisect.bisect_left(self.cue_starts, s_end)
        cues = self.cues[i:j]
        best: str = AFFIRMED
        blocked_before = s_start  # forward cues before a terminator are out
        for cue in cues:
            if cue.kind == TERMINATE and cue.end <= anchor and not self.lowered.startswith(":", cue.end):
                # (a label's last word before its colon ends no scope: "a normal ECG means: ...")
                if ")" in self.lowered[cue.end:anchor]:
                    close = self._inside_parens(cue.start, s_start)
                    if close is not None and close < anchor:
                        continue  # a clause in parentheses ends there, not the scope around it
                blocked_before = max(blocked_before, cue.end)
        blocked_after = s_end  # backward cues after a terminator are out
        for cue in cues:
            if cue.kind == TERMINATE and cue.start >= inner_end:
                blocked_after = min(blocked_after, cue.start)
                break
        strong_before, strong_after = s_start, s_end  # sentence-wide cues stop at a contrast or dash
        for pos in self.dashes:
            if s_start <= pos < anchor:
                strong_before = max(strong_before, pos)
            elif inner_end <= pos < s_end:
                strong_after = min(strong_after, pos)
        for cue in cues:
            if cue.kind == TERMINATE and cue.phrase in _STRONG_TERMINATORS:
                if cue.end <= anchor:
                    strong_before = max(strong_before, cue.end)
                elif cue.start >= inner_end:
                    strong_after = min(strong_after, cue.start)
        anchor_aside = self._aside(anchor) if self.insertions else None
        denied_by_unlikely = uncertain_by_suggest = False
        for cue in cues:
            kind = cue.kind
            if kind in (PSEUDO, TERMINATE):
                continue
            if kind == REFERENCE and (not numeric or (plain and cue.direction in (SENTENCE, BACKWARD))):
                continue  # ("In healthy adults the QTc is below 450 ms; yours is 470 ms": 470 is measured)
            if kind == UNCERTAIN and numeric and plain and cue.phrase in _CATEGORY_HEDGES and "," not in (
                    self.lowered[cue.end:anchor] if cue.end <= anchor else self.lowered[inner_end:cue.start]):
                continue  # "borderline QTc 458 ms": the category is hedged, the measured number is not
            if self.insertions and self._aside(cue.start) != anchor_aside and self._aside(cue.start) is not None:
                continue
            applies = False
            if cue.start < inner_end and anchor < cue.end and kind != REFERENCE:
                applies = True  # in the finding's own words ("which is borderline": the cue holds the word)
            elif (cue.start < anchor < cue.end <= inner_end and cue.start >= blocked_before
                  and cue.direction in (FORWARD, BOTH) and kind != REFERENCE):
                applies = True  # a cue whose last word opens the finding: "no significant Q waves"
            elif cue.end <= anchor and cue.start >= blocked_before and cue.direction in (FORWARD, BOTH):
                if kind == REFERENCE:
                    applies = self._reference_reaches(cue, anchor, plain)
                else:
                    applies = self._forward_reaches(cue, anchor, s_end, numeric and plain)
            elif cue.start >= inner_end and cue.end <= blocked_after and cue.direction in (BACKWARD, BOTH):
                applies = self._backward_reaches(cue, inner_end, s_start) and not self._before_its_noun(cue)
                if applies and cue.phrase in _EXPECTED and _DEFINITE_BEFORE_RE.search(
                        self.lowered, max(s_start, anchor - 30), anchor):
                    applies = False  # "the ST elevation in V1-V3 is expected (in LBBB)": this ECG's finding
            elif cue.direction == SENTENCE and cue.start >= strong_before and cue.end <= strong_after:
                close = self._inside_parens(cue.start, s_start)
                applies = close is None or (cue.start <= anchor <= close)
                if applies and cue.start >= inner_end and _COMMENT_RE.search(self.lowered, inner_end, cue.start):
                    applies = False  # "..., which is usually harmless", "... and it's often due to": a comment
                if applies and cue.end <= anchor and self._in_a_clause_about_this_case(cue, anchor):
                    applies = False  # "Typically ..., and there is no ST elevation on this tracing"
                if applies and cue.start >= inner_end and self._in_an_earlier_clause_of_this_case(anchor, inner_end, cue):
                    applies = False  # "your QTc is 452 ms, and for women up to 460 is usually considered ok"
            elif cue.direction == BACK_SENTENCE and cue.start >= inner_end and cue.end <= strong_after:
                applies = True
            if applies and _PRIORITY[kind] > _PRIORITY.get(best, 0):
                if kind == UNCERTAIN and best == NEGATED and denied_by_unlikely:
                    continue  # "... suggest that a bundle branch block is unlikely": denied
                best = kind
            if applies and kind == NEGATED and cue.phrase in _UNLIKELY:
                denied_by_unlikely = True
                if best == UNCERTAIN and uncertain_by_suggest:
                    best = NEGATED
            if applies and kind == UNCERTAIN and cue.phrase in _SUGGEST:
                uncertain_by_suggest = True
        return best

    def _in_a_clause_about_this_case(self, cue: Cue, anchor: int) -> bool:
        """Whether the finding at ``anchor`` sits in a later clause (after a comma or
        semicolon) than the sentence-wide cue, and that clause names this case ("on this
        tracing", "in this patient")."""
        marks = [p for p, mark in self._marks_between(cue.end, anchor) if mark == ","]
        semicolon = self.lowered.rfind(";", cue.end, anchor)
        start = max([*marks, semicolon])
        if start < 0:
            return False
        end = self.lowered.find(",", anchor)
        stop = self._sentence(anchor)[1]
        return _THIS_CASE_CLAUSE_RE.search(self.lowered, start, stop if end < 0 else min(end, stop)) is not None

    def _in_an_earlier_clause_of_this_case(self, anchor: int, inner_end: int, cue: Cue) -> bool:
        """Whether the finding at [anchor, inner_end) sits in an earlier clause than the
        sentence-wide cue after it (a comma or semicolon between) and its own clause names this
        case ("your QTc is 452 ms, and ... is usually considered ok")."""
        lowered = self.lowered
        end = lowered.find(",", inner_end, cue.start)
        semicolon = lowered.find(";", inner_end, cue.start)
        if end < 0 or 0 <= semicolon < end:
            end = semicolon
        if end < 0:
            return False
        start = self._sentence(anchor)[0]
        start = max(start, lowered.rfind(",", start, anchor) + 1, lowered.rfind(";", start, anchor) + 1)
        return _THIS_CASE_WORD_RE.search(lowered, start, end) is not None

    def _before_its_noun(self, cue: Cue) -> bool:
        """An adjective cue read backwards ("T waves absent") that stands before a noun of
        its own ("absent P waves") qualifies that noun, not what came before it."""
        if cue.phrase != "absent":
            return False
        word = _WORD_RE.search(self.lowered, cue.end)
        if word is None or self.lowered[cue.end:word.start()].strip():
            return False  # punctuation or the end follows
        return word.group() not in ("in", "on", "from", "throughout", "and", "or", "but", "here", "today", "now")

    def _reference_reaches(self, cue: Cue, anchor: int, plain: bool) -> bool:
        if plain and cue.phrase not in _REFERENCE_PLAIN:
            return False
        gap = self.lowered[cue.end:anchor]
        colon = gap.find(":")
        if colon >= 0 and len(_WORD_RE.findall(gap, 0, colon)) <= 3:
            return True  # a list of normal values: "recall the normal values: PR 0.12-0.20 s, QRS under 0.12 s"
        if len(_WORD_RE.findall(gap)) > REFERENCE_REACH_WORDS or ";" in gap:
            return False
        commas = [pos for pos, mark in self._marks_between(cue.end, anchor) if mark == ","]
        # ("Normally, the QRS axis lies between -30 and +90": the adverb opening its sentence;
        # "Axis: Normal, in the range of +30 to +60" is this case's)
        return not commas or (commas == [cue.end] and cue.phrase == "normally" and _PREMISE_START_RE.fullmatch(
            self.lowered, self._sentence(cue.start)[0], cue.start) is not None)

    def cues_between(self, start: int, end: int, kind: str) -> list[Cue]:
        i = bisect.bisect_left(self.cue_starts, start)
        j = bisect.bisect_left(self.cue_starts, end)
        return [c for c in self.cues[i:j] if c.kind == kind]
