from kepu.cli import main

if __name__ == "__main__":  # not when a Dask worker process (spawn) imports it
    main()
