from catalog.seed.command import main

main()
