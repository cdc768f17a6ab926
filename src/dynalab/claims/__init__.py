"""The book's chapter 8 reproduced, and the lab's studies: experiments as data plus claims.

Each experiment runs with settings it states, measures, and prints every claim as
``[holds]`` or ``[fails]`` with its numbers and 95% intervals
(:mod:`dynalab.claims.claim`); :mod:`dynalab.claims.registry` lists them by name.
"""
