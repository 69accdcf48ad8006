"""Every data file the gallery reads: its SHA-256 and where it is published.

The values come from the files' public sources (see ``../shared/datasets/README.md`` in
the development setup). A loader refuses any file whose hash differs.
"""

#: File name -> ``"sha256:<hex>"``.
REGISTRY = {
    "t10k-images-idx3-ubyte.gz": "sha256:8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
    "t10k-labels-idx1-ubyte.gz": "sha256:f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
    "insurance.csv": "sha256:505c1cbc2e63d0363bac59501563df2530aadf4cdb9cfee226f4ef32f5468281",
    "MBA.csv": "sha256:1a1a01c84a36f976485f35b25621569253ad3b1d68ee5fd09d61aaae68d1f659",
}

#: File name -> public download address. The most official stable source of each file:
#: MNIST from the S3 mirror that PyTorch's own loaders use (the original host, LeCun's
#: site, has refused downloads for long periods); the two CSV files from GitHub, pinned
#: to the commit whose file has the SHA-256 above (a branch name could move).
URLS = {
    "t10k-images-idx3-ubyte.gz": "https://ossci-datasets.s3.amazonaws.com/mnist/t10k-images-idx3-ubyte.gz",
    "t10k-labels-idx1-ubyte.gz": "https://ossci-datasets.s3.amazonaws.com/mnist/t10k-labels-idx1-ubyte.gz",
    "insurance.csv": "https://raw.githubusercontent.com/stedy/Machine-Learning-with-R-datasets/9a8371e95098f3048c5540646b9fb96c7571b110/insurance.csv",
    "MBA.csv": "https://raw.githubusercontent.com/choi828/MBA_Admission/bb1e63284d35c761c7fb7f98ef8db671d3774cb5/MBA.csv",
}

#: File name -> (title, license) shown in page provenance.
SOURCES = {
    "t10k-images-idx3-ubyte.gz": ("MNIST, official 10,000-image test split (LeCun, Cortes, Burges)", "CC BY-SA 3.0"),
    "t10k-labels-idx1-ubyte.gz": ("MNIST, official 10,000-image test split (LeCun, Cortes, Burges)", "CC BY-SA 3.0"),
    "insurance.csv": (
        "Medical Cost Personal Datasets, simulated by B. Lantz for Machine Learning with R from US Census Bureau "
        "demographic statistics",
        "as published by its author",
    ),
    "MBA.csv": ("MBA admission dataset, Class 2025 (synthetic; Kaggle user taweilo)", "as published by its author"),
}

#: Files whose license lets the gallery's site publish a copy next to its wheel
#: (``downloads/data/<name>``); the loaders try that copy when the public URL fails.
#: The two CSV files carry no license that allows it: their pages say where to get them.
PUBLISHED_WITH_SITE = frozenset({"t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"})
