"""The WeCromCL localisation study: do the maps find the queried word?"""
