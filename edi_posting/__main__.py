from edi_posting.cli import main

main()
