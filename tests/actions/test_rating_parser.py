"""The rating parser: numbers, number words, scales, ranges, "not sure", "skip", and what is re-asked."""
import pytest

from actions.rating_parser import Rating, RatingKind, parse_rating

N, U, S, X = RatingKind.NUMBER, RatingKind.UNSURE, RatingKind.SKIP, RatingKind.INVALID


@pytest.mark.parametrize(
    "text, expected",
    [
        # plain numbers and number words zero..ten
        ("7", Rating(N, 7)),
        ("0", Rating(N, 0)),
        ("10", Rating(N, 10)),
        ("zero", Rating(N, 0)),
        ("one", Rating(N, 1)),
        ("two", Rating(N, 2)),
        ("three", Rating(N, 3)),
        ("four", Rating(N, 4)),
        ("five", Rating(N, 5)),
        ("six", Rating(N, 6)),
        ("seven", Rating(N, 7)),
        ("Eight", Rating(N, 8)),
        ("nine", Rating(N, 9)),
        ("ten", Rating(N, 10)),
        # the scale is not a second number
        ("about 7/10", Rating(N, 7)),
        ("8 / 10", Rating(N, 8)),
        ("7 out of 10", Rating(N, 7)),
        ("like 8 out of ten", Rating(N, 8)),
        ("10/10", Rating(N, 10)),
        # words around the number
        ("a 6 maybe", Rating(N, 6)),
        ("its like a 9 rn", Rating(N, 9)),
        ("maybe 3ish", Rating(N, 3)),
        ("lower now maybe 4", Rating(N, 4)),
        ("idk like 5", Rating(N, 5)),
        # decimals round half up
        ("7.5", Rating(N, 8)),
        ("6.5", Rating(N, 7)),
        ("7,5", Rating(N, 8)),
        ("6.4", Rating(N, 6)),
        ("seven and a half", Rating(N, 8)),
        # ranges: in between; "from X to Y" is where it is now
        ("around 6 or 7", Rating(N, 7)),
        ("6-7", Rating(N, 7)),
        ("between 4 and 5", Rating(N, 5)),
        ("from 8 to 4", Rating(N, 4)),
        # not sure
        ("idk", Rating(U)),
        ("not sure", Rating(U)),
        ("I don't know", Rating(U)),
        ("dunno", Rating(U)),
        ("hard to say", Rating(U)),
        ("no idea", Rating(U)),
        # skip
        ("skip", Rating(S)),
        ("pass", Rating(S)),
        ("I'd rather not say", Rating(S)),
        # asked again: nonsense, out of range, ambiguous, empty
        ("banana", Rating(X)),
        ("stop", Rating(X)),
        ("11", Rating(X)),
        ("11/10", Rating(X)),
        ("100", Rating(X)),
        ("-1", Rating(X)),
        ("2 or 9 or 3", Rating(X)),
        ("it was 8 this morning and 3 at lunch", Rating(X)),
        ("no one gets it", Rating(X)),
        ("", Rating(X)),
        ("   ", Rating(X)),
        (None, Rating(X)),
    ],
)
def test_parse_rating(text, expected):
    assert parse_rating(text) == expected
