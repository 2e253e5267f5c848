"""Recognition of table columns by concept, not by spelling, in several languages.

A column header is read for what it says: a device or service (internet, computer, mobile
phone...), a universe (households / persons), a value kind (count / percent / share), a
negation, an area, a code, a coordinate... The words are data, one catalogue per language
(``en.yaml``, ``fr.yaml``, ``es.yaml``, ``pt.yaml``, ``de.yaml``, ``it.yaml`` in this folder), and
``concepts.yaml`` maps the concepts to the indicators of the egovkit catalogue. Every
:class:`Recognition` carries a confidence and a reason; ambiguous headers give candidates, not a
guess.

Examples
--------
>>> from egovkit.concepts import recognise
>>> recognise("Ménages disposant d'une connexion Internet").indicator
'internet'
>>> recognise("% homes online").value_kind
'percent'
"""

from .catalogue import languages, tokenize
from .recognise import CONFIDENT, ROLES, Recognition, recognise, said_universe

__all__ = ["CONFIDENT", "ROLES", "Recognition", "languages", "recognise", "said_universe", "tokenize"]
