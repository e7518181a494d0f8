from caution.entry import main

main()
