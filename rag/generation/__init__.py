"""Generation: prompts, backends behind one Generator protocol, the extractive answerer,
citation checks, and the pipeline that runs them."""
