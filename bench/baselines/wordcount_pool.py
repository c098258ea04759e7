# The classic multiprocessing word count (a Python MapReduce example of the Disco era),
# ported to Python 3 as-is: Pool(10), pool.map(split_words) over every line, one dict
# reduce in the parent. Changes from the original: print() and open() for Python 3, the
# `__main__` guard multiprocessing needs, and several input files read one after another.
import sys
from multiprocessing import Pool


def split_words(line):
    return [x.rstrip("\n") for x in line.split(" ")]


def myreduce(mylist):
    """
    gets [['word1'], ['word1', 'word2', 'word1']]
    returns {'word1': 3 'word2': 1}
    """
    result = {}

    for sublist in mylist:
        for word in sublist:
            try:
                result[word] += 1
            except KeyError:
                result[word] = 1

    return result


def lines_of(names):
    for name in names:
        with open(name) as f:
            for line in f:
                yield line


if __name__ == "__main__":
    if len(sys.argv) < 2:
        print(sys.argv[0] + ": <file>...")
        sys.exit(1)

    pool = Pool(processes=10)
    lines = lines_of(sys.argv[1:])

    words = pool.map(split_words, lines)
    word_count = myreduce(words)

    for (word, count) in word_count.items():
        print(word + ": " + str(count))
