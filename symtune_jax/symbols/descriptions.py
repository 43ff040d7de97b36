"""Instruction-style descriptions of the symbol-tuning families, for task selection.

The INSTA selector ranks training tasks by the similarity of their
instructions to a target's. Symbol-tuning prompts carry no instruction by
design, so these texts describe what each registered task or mixture asks of
the model, in the style of an instruction.
"""

DESCRIPTIONS: dict[str, tuple[str, ...]] = {
    "symtune_symbol_tuning_v1": (
        "Learn the mapping from inputs to arbitrary symbols from the labelled examples in "
        "context, then give the symbol of the last input.",
        "Each example is labelled with an unrelated symbol such as a number, a letter code or "
        "a word. Infer which symbol goes with which kind of input and label the final one.",
        "Classify the final input using only the input-label pairs shown; the labels carry no "
        "meaning of their own.",
    ),
    "symtune_symbol_tuning_full_mix": (
        "Learn the mapping from inputs to arbitrary symbols from the labelled examples in "
        "context, then give the symbol of the last input.",
        "Classify sentences and sentence pairs (entailment, paraphrase, sentiment, topic, "
        "question type) whose labels were replaced by arbitrary symbols, from in-context "
        "examples alone.",
    ),
    "symtune_list_functions_v1": (
        "Apply a function to the final input list to generate the output list. Use the "
        "preceding inputs and outputs as examples.",
        "Infer the hidden function over lists of numbers from the input/output pairs and "
        "compute its output for a new list.",
    ),
    "symtune_binary_concepts_v1": (
        "Learn the hidden rule that labels binary strings from the labelled examples, then "
        "label the final string.",
        "Each string of 0s and 1s is labelled by an unknown concept; infer the concept from the "
        "examples and give the label of the new string.",
    ),
}
