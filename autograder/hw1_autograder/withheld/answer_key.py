"""The multiple-choice answers (handout section 4).  Never shipped to learners: the starter's
local runner records the answers and says they are checked on the course's server."""
MC_KEY = {1: "b", 2: "a", 3: "a", 4: "a", 5: "c"}
