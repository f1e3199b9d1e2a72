"""The virtual agent: NLU, knowledge-base answers, dialogue flows and the greeter."""
