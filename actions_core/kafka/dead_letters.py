"""Dead letters to a topic: every rejected, failed or invalid event, replayable.

Each message is the file dead-letter object (:mod:`actions_core.runtime.dead_letter`) plus
where the event came from: ``topic``, ``partition`` and ``offset``. Its key is the original
message's key, so a replay keeps one person's events in one partition. Consuming the
dead-letter topic (or a dump of it as JSON lines given to ``actions-core run``) sends each
entry again to the mapping it failed for only.

Interruptions (:mod:`actions_core.kafka.interruptions`) are not dead letters: those events are
read again from the topic. A dead letter is produced and acknowledged before ``record``
returns, so it is stored before the offset of its event can be committed; a broker that does
not acknowledge raises, the run stops and nothing past it is committed.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from actions_core.kafka.interruptions import interruption_of
from actions_core.kafka.ledger import OffsetLedger
from actions_core.kafka.producer import EventProducer
from actions_core.redaction import NO_SECRETS, Redactor
from actions_core.runtime.dead_letter import DEAD_LETTER_OUTCOMES, dead_letter_line
from actions_core.runtime.outcomes import OutcomeRecord


class DeadLetterTopic:
    """An outcome sink producing dead letters to ``topic``, written as in a dead-letter file
    (the error redacted, an event holding a secret kept base64-encoded in ``raw_b64``)."""

    wants_events = True

    def __init__(
        self,
        producer: EventProducer,
        topic: str,
        *,
        source_topic: str,
        ledger: OffsetLedger,
        redactor: Redactor | None = None,
    ) -> None:
        self.topic = topic
        self._producer = producer
        self._source = source_topic
        self._ledger = ledger
        self._redactor = redactor or NO_SECRETS
        self._topic_json = json.dumps(source_topic)

    def record(self, records: Sequence[OutcomeRecord]) -> None:
        messages = []
        for r in records:
            if r.outcome not in DEAD_LETTER_OUTCOMES or interruption_of(r) is not None:
                continue
            origin = self._ledger.origin(r.line)
            text = dead_letter_line(r, self._redactor)  # a JSON object: "}" closes it
            if origin is None:
                where = f',"topic":{self._topic_json},"partition":null,"offset":null}}'
            else:
                where = (
                    f',"topic":{self._topic_json},"partition":{origin.partition},'
                    f'"offset":{origin.offset}}}'
                )
            value = text[:-1] + where
            messages.append((origin.key if origin else None, value.encode()))
        if messages:
            self._producer.produce_values(messages, topic=self.topic)


__all__ = ["DeadLetterTopic"]
