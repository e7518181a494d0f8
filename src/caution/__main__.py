from caution.cli import main

main()
